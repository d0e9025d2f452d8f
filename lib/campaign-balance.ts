/**
 * Work stealing between a campaign's lanes (`balance: work-stealing`): a testbed whose work is
 * done takes over the end of the queue of the testbed with the most measurements left, so the
 * campaign does not wait for its slowest lane while the others sit idle. Pure: workflow code
 * imports it.
 *
 * A lane's work is a range of one testbed's planned queue: its own (`at` absent: the range
 * starts at offset `next`) or, after it took some over, a range of another testbed's queue
 * (`at`: where its next measurement is). `next` counts the lane's finished measurements and
 * `total - next` is what is left in its range, so taking k measurements over moves k from the
 * victim's `total` to the thief's.
 */
import type { TestbedProgress } from './measurement/payloads';

export interface QueuePosition {
  /** The testbed whose planned queue the range is part of. */
  queue: string;
  /** Offset in that queue of the lane's next measurement. */
  offset: number;
}

/** Where the lane's next measurement is in the planned queues. */
export function laneAt(lane: TestbedProgress): QueuePosition {
  return lane.at ? { ...lane.at } : { queue: lane.id, offset: lane.next };
}

/** The lane's next measurement has finished: its position moves on with `next`. */
export function advanceLane(lane: TestbedProgress): void {
  lane.next++;
  if (lane.at) lane.at = { queue: lane.at.queue, offset: lane.at.offset + 1 };
}

/** Measurements of the lane neither finished nor running. */
function queued(lane: TestbedProgress): number {
  return Math.max(0, lane.total - lane.next - (lane.running ? 1 : 0));
}

/**
 * How many measurements a thief takes from the end of a lane with `waiting` queued ones: about
 * half (both then end at about the same time), at most all but the first (its lane decided
 * whether to keep its tunnels up for it, see workflows/campaign.ts), rounded to whole units (the
 * apps of a node pair, which share their tunnels) when half is at least one unit: splitting a pair
 * costs one more tunnel set-up, waiting for a lane costs whole measurements.
 */
export function stealCount(waiting: number, unit: number): number {
  const most = waiting - 1;
  if (most < 1) return 0;
  const half = Math.min(most, Math.ceil(waiting / 2));
  const u = Math.max(1, Math.floor(unit));
  if (half < u) return half;
  const whole = Math.round(half / u) * u;
  return whole <= most ? whole : Math.floor(half / u) * u;
}

/**
 * For the idle `thief` (nothing left in its range), takes over the end of the range of the lane
 * with the most queued measurements (the first such lane on a tie). Returns the lane it took
 * from, or null when no lane has enough left to share; mutates both lanes.
 */
export function takeOver(thief: TestbedProgress, lanes: readonly TestbedProgress[], unit: number): TestbedProgress | null {
  if (thief.next < thief.total) return null;
  let victim: TestbedProgress | null = null;
  for (const lane of lanes) {
    if (lane === thief) continue;
    if (stealCount(queued(lane), unit) > 0 && (victim === null || queued(lane) > queued(victim))) victim = lane;
  }
  if (victim === null) return null;
  const k = stealCount(queued(victim), unit);
  const at = laneAt(victim);
  const end = at.offset + (victim.total - victim.next);
  victim.total -= k;
  thief.at = { queue: at.queue, offset: end - k };
  thief.total += k;
  return victim;
}
