/**
 * Typed mock activities (the full MatadorActivities interface) for workflow tests. They do no
 * measuring: they record every call (start/end per step, testbed, attempt) through `record`, can
 * be told to fail, and return well-formed but empty results. The plan activities are the real
 * ones, fed with a fixed plan instead of YAML.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { shippingActivities, type ShippingFolders } from '../../activities/artefacts';
import type { DriftActivities } from '../../activities/drift';
import type { ExpandedPlan } from '../../activities/plan-loader';
import { planActivities } from '../../activities/plan-pages';
import type { FailureCode } from '../../lib/failures';
import type { MatadorActivities } from '../../lib/measurement/steps';
import type { StepContext } from '../../lib/measurement/payloads';

export interface MockEvent {
  kind: 'start' | 'end' | 'fail';
  step: string;
  measurementId: string;
  testbed: string;
  /** measurement attempt (saga) */
  attempt: number;
  /** Temporal's retry attempt of this activity */
  activityAttempt: number;
  /** monotonic order across the process */
  seq: number;
  runId?: string;
}

/** When a step fails: for which measurement, in which measurement attempts, how often. */
export interface FailureRule {
  measurementId: string;
  step: string;
  /** Fail only in these measurement attempts (default: all). */
  attempts?: number[];
  /** Fail the first N activity tries, then succeed (default: every try). */
  activityTries?: number;
  /** ApplicationFailure type, a catalogue code (default injected_fault); non-retryable when
   *  `nonRetryable` (default false). */
  type?: FailureCode;
  nonRetryable?: boolean;
}

export interface MockOptions {
  plan: ExpandedPlan;
  record: (e: MockEvent) => void;
  failures?: FailureRule[];
  /** Persisted records go here (keyed by measurement id + workflow run id). */
  saveRecord?: (measurementId: string, runId: string, status: string, failure: string | null) => void;
  /** Per-step pause in ms (gives overlapping lanes a chance to show). */
  stepDelayMs?: number;
  /** The drift steps (e.g. the real ones over a test store); default: no earlier run to compare. */
  drift?: DriftActivities;
  /** Data folders of the (real) shipping steps; the mock steps leave no artefacts, so a record
   *  lists none unless a test's own steps write some. Default: none (shipping refuses). */
  shipping?: ShippingFolders;
}

let seq = 0;

export function createMockActivities(o: MockOptions): MatadorActivities {
  const plan = planActivities({ load: () => o.plan, baseDir: '/' });

  async function step<T>(name: string, ctx: StepContext, result: T): Promise<T> {
    const info = Context.current().info;
    const base = { step: name, measurementId: ctx.measurementId, testbed: ctx.testbed, attempt: ctx.attempt, activityAttempt: info.attempt };
    o.record({ kind: 'start', seq: ++seq, ...base });
    if (o.stepDelayMs) await new Promise((r) => setTimeout(r, o.stepDelayMs));
    const rule = (o.failures ?? []).find(
      (f) => f.measurementId === ctx.measurementId && f.step === name && (!f.attempts || f.attempts.includes(ctx.attempt)),
    );
    if (rule && (rule.activityTries === undefined || info.attempt <= rule.activityTries)) {
      o.record({ kind: 'fail', seq: ++seq, ...base });
      const message = `mock ${name} failure (try ${info.attempt})`;
      throw rule.nonRetryable
        ? ApplicationFailure.nonRetryable(message, rule.type ?? 'injected_fault')
        : ApplicationFailure.retryable(message, rule.type ?? 'injected_fault');
    }
    o.record({ kind: 'end', seq: ++seq, ...base });
    return result;
  }

  const now = (): string => new Date().toISOString();
  return {
    ...plan,
    provisionTunnels: ({ ctx }) =>
      step('provisionTunnels', ctx, {
        tunnels: [
          { side: 'A' as const, node: ctx.nodeA.id, kind: 'mock' },
          { side: 'B' as const, node: ctx.nodeB.id, kind: 'mock' },
        ],
      }),
    configurePhones: ({ ctx }) => step('configurePhones', ctx, { phones: [] }),
    startCapture: ({ ctx }) => step('startCapture', ctx, { captureId: `${ctx.measurementId}#${ctx.attempt}`, startedAt: now() }),
    sendMessage: ({ ctx, message }) =>
      step(`sendMessage`, ctx, { index: message.index, from: message.from, sentAt: now(), receivedAt: now(), failure: null }),
    stopCapture: ({ ctx }) => step('stopCapture', ctx, undefined),
    fetchCapture: ({ ctx }) => step('fetchCapture', ctx, { files: [] }),
    classifyFlows: ({ ctx }) => step('classifyFlows', ctx, { endpoints: [] }),
    traceroutes: ({ ctx }) => step('traceroutes', ctx, { networkPath: { traces: [] }, applicationPath: { traces: [] } }),
    geolocate: ({ ctx, paths }) => step('geolocate', ctx, paths),
    abortCapture: ({ ctx }) => step('abortCapture', ctx, undefined),
    teardown: ({ ctx }) => step('teardown', ctx, undefined),
    ...(o.drift ?? {
      detectDrift: async ({ campaign }) => ({ configCampaign: campaign, run: campaign, previous: null, alerts: 0, added: 0, lines: [], webhook: false }),
      postDriftAlerts: async () => {
        throw ApplicationFailure.nonRetryable('mock activities: no webhook', 'DriftUnavailable');
      },
    }),
    ...shippingActivities(o.shipping ?? {}),
    // The preflight is not part of a measurement: a testbed with nothing to check.
    checkTestbed: async () => ({ subjects: [], rows: [] }),
    async persistRecord({ record }) {
      const runId = (record.workflow as { runId: string }).runId;
      o.saveRecord?.(record.measurementId, runId, record.status, record.failure);
      o.record({ kind: 'end', seq: ++seq, step: 'persistRecord', measurementId: record.measurementId, testbed: String(record.testbed), attempt: 0, activityAttempt: Context.current().info.attempt, runId });
      return { stored: `mock:${record.measurementId}` };
    },
  };
}

/** Checks that no two measurements of one testbed ran at the same time (by event order). */
export function overlapsPerTestbed(events: MockEvent[]): string[] {
  const problems: string[] = [];
  const byTestbed = new Map<string, MockEvent[]>();
  for (const e of events) {
    if (e.step === 'persistRecord') continue;
    const list = byTestbed.get(e.testbed) ?? [];
    list.push(e);
    byTestbed.set(e.testbed, list);
  }
  for (const [testbed, list] of byTestbed) {
    list.sort((a, b) => a.seq - b.seq);
    const spans = new Map<string, { first: number; last: number }>();
    for (const e of list) {
      const s = spans.get(e.measurementId) ?? { first: e.seq, last: e.seq };
      s.first = Math.min(s.first, e.seq);
      s.last = Math.max(s.last, e.seq);
      spans.set(e.measurementId, s);
    }
    const sorted = [...spans].sort((a, b) => a[1].first - b[1].first);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i][1].first < sorted[i - 1][1].last) problems.push(`${testbed}: ${sorted[i][0]} started before ${sorted[i - 1][0]} ended`);
    }
  }
  return problems;
}
