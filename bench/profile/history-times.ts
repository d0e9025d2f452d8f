/**
 * Times read from a workflow's history (the server's own clock): each timer as the server ran
 * it (TimerStarted -> TimerFired) and each activity's queue wait and execution. Shared by the
 * timer probe (timers.ts) and the profile bench (run.ts).
 */
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface TimerAsRun {
  /** What the workflow asked for (ms). */
  requestedMs: number;
  /** Server time from TimerStarted to TimerFired (ms). */
  firedAfterMs: number;
  startedAt: number;
  firedAt: number;
}

export interface ActivityAsRun {
  activityType: string;
  scheduledAt: number;
  startedAt: number | null;
  closedAt: number | null;
}

/** Epoch ms of an event (protobuf Timestamp: seconds as Long or number, nanos). */
export function eventMs(e: HistoryEvent): number {
  const t = e.eventTime;
  if (!t) return NaN;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

function durationMs(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return d ? Number(d.seconds ?? 0) * 1000 + (d.nanos ?? 0) / 1e6 : NaN;
}

export function timersOf(events: readonly HistoryEvent[]): TimerAsRun[] {
  const started = new Map<string, { at: number; requestedMs: number }>();
  const out: TimerAsRun[] = [];
  for (const e of events) {
    if (e.timerStartedEventAttributes) {
      const a = e.timerStartedEventAttributes;
      started.set(String(a.timerId), { at: eventMs(e), requestedMs: durationMs(a.startToFireTimeout) });
    } else if (e.timerFiredEventAttributes) {
      const s = started.get(String(e.timerFiredEventAttributes.timerId));
      if (s) out.push({ requestedMs: s.requestedMs, startedAt: s.at, firedAt: eventMs(e), firedAfterMs: eventMs(e) - s.at });
    }
  }
  return out;
}

export function activitiesOf(events: readonly HistoryEvent[]): ActivityAsRun[] {
  const byScheduledId = new Map<string, ActivityAsRun>();
  const out: ActivityAsRun[] = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) {
      const a: ActivityAsRun = { activityType: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', scheduledAt: eventMs(e), startedAt: null, closedAt: null };
      byScheduledId.set(String(e.eventId), a);
      out.push(a);
      continue;
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const a = byScheduledId.get(String(started.scheduledEventId));
      if (a) a.startedAt = eventMs(e);
      continue;
    }
    const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
    if (closed) {
      const a = byScheduledId.get(String(closed.scheduledEventId));
      if (a) a.closedAt = eventMs(e);
    }
  }
  return out;
}
