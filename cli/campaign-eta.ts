/**
 * The ETA of a running campaign from its testbeds' lanes. A campaign runs one measurement at a
 * time per testbed, so it ends when its busiest lane does: ETA = the longest of (measurements
 * left on a lane x the time a measurement takes, less what the running one has done). The time
 * a measurement takes is measured from the progress answers: on each lane, from the poll that
 * first shows a measurement running to the poll that shows the next one (start to start, so the
 * campaign's own gaps count), the mean of the latest few. A count of finished measurements per
 * minute since the watch began (RateEstimator) misjudges the first minutes: every lane finishes
 * its first measurement at about the same moment, after the campaign's planning. With work
 * stealing (`workStealing`) the testbeds share what is left, so the ETA is that work spread over
 * all of them.
 */
import type { CampaignProgress } from '../lib/measurement/payloads';

interface Lane {
  running: string | null;
  /** When the running measurement was first seen; null when it already ran at the first look. */
  since: number | null;
  next: number;
}

export class LaneEstimator {
  private readonly lanes = new Map<string, Lane>();
  private readonly durations: number[] = [];
  private polls = 0;

  /**
   * `startedAtMs`: when the campaign was started, if this watch started it (`demo`, `campaign
   * start --wait`): a lane's first measurement began after it, so that one is timed as well.
   * `keep`: how many of the latest measurement durations the mean uses (default: 3 per lane, at least 6).
   */
  constructor(private readonly o: { startedAtMs?: number; keep?: number } = {}) {}

  add(atMs: number, p: CampaignProgress): void {
    for (const t of p.testbeds) {
      const lane = this.lanes.get(t.id);
      if (!lane) {
        // A lane that appears after the first look started its measurement since then (the
        // campaign was planning); at the very first look its start is unknown, unless it is the
        // lane's first measurement of a campaign this watch started.
        const first = t.next === 0 && this.o.startedAtMs !== undefined ? this.o.startedAtMs : null;
        this.lanes.set(t.id, { running: t.running, since: t.running ? (this.polls > 0 ? atMs : first) : null, next: t.next });
        continue;
      }
      if (t.running === lane.running && t.next === lane.next) continue;
      const finished = Math.max(1, t.next - lane.next);
      if (lane.running !== null && lane.since !== null && t.next > lane.next) {
        const each = (atMs - lane.since) / finished;
        for (let i = 0; i < finished; i++) this.durations.push(each);
      }
      lane.running = t.running;
      lane.since = t.running ? atMs : null;
      lane.next = t.next;
    }
    const keep = this.o.keep ?? Math.max(6, 3 * this.lanes.size);
    if (this.durations.length > keep) this.durations.splice(0, this.durations.length - keep);
    this.polls++;
  }

  /** Mean seconds per measurement on a lane; null before one was timed. */
  secondsPerMeasurement(): number | null {
    if (this.durations.length === 0) return null;
    return this.durations.reduce((a, b) => a + b, 0) / this.durations.length / 1000;
  }

  /** Measurements per minute while every lane with work left runs; null before one was timed. */
  perMinute(p: CampaignProgress): number | null {
    const each = this.secondsPerMeasurement();
    // Sharing their work, the testbeds all keep busy while there is more left than testbeds.
    const busy = p.workStealing ? Math.min(p.testbeds.length, p.testbeds.reduce((n, t) => n + Math.max(0, t.total - t.next), 0)) : p.testbeds.filter((t) => t.next < t.total).length;
    return each === null || busy === 0 ? null : (60 * busy) / each;
  }

  /** Seconds until the busiest lane is done; null before one measurement was timed. */
  etaSeconds(atMs: number, p: CampaignProgress): number | null {
    const each = this.secondsPerMeasurement();
    if (each === null) return null;
    let eta = 0;
    let work = 0;
    for (const t of p.testbeds) {
      const lane = this.lanes.get(t.id);
      const queued = Math.max(0, t.total - t.next - (t.running ? 1 : 0));
      // the running one: what is left of a typical measurement (half of one when its start is unknown)
      const current = t.running ? (lane?.since != null ? Math.max(0, each - (atMs - lane.since) / 1000) : each / 2) : 0;
      eta = Math.max(eta, (p.workStealing ? 0 : queued * each) + current);
      work += queued * each + current;
    }
    // Work stealing: what is left is shared by every testbed (no running one ends sooner, though).
    return p.workStealing && p.testbeds.length > 0 ? Math.max(eta, work / p.testbeds.length) : eta;
  }
}
