import type { CampaignProgress, TestbedProgress } from '../lib/measurement/payloads';
import { LaneEstimator } from './campaign-eta';
import { RateEstimator } from './campaign-progress';

/**
 * A simulated campaign: `lanes[i]` measurements on testbed i, each taking `seconds` (start to
 * start), after `planning` seconds; its progress answer at time t.
 */
function campaignAt(t: number, o: { lanes: number[]; seconds: number; planning: number }): CampaignProgress {
  const testbeds: TestbedProgress[] = o.lanes.map((total, i) => {
    const done = t < o.planning ? 0 : Math.min(total, Math.floor((t - o.planning) / o.seconds));
    return { id: `tb${i + 1}`, total, next: done, ok: done, failed: 0, running: t >= o.planning && done < total ? `c/app/n${i}/m${done}` : null };
  });
  const finished = testbeds.reduce((n, x) => n + x.next, 0);
  const total = o.lanes.reduce((a, b) => a + b, 0);
  return { campaign: 'c', config: 'c.yaml', state: t < o.planning ? 'planning' : 'running', total, finished, ok: finished, failed: 0, running: [], testbeds: t < o.planning ? [] : testbeds, failures: [], runs: 1 };
}

describe('LaneEstimator', () => {
  // the demo's shape: 84 measurements as 21 pairs x 4 over 6 testbeds (16, 16, 16, 12, 12, 12), 40 s each
  const shape = { lanes: [16, 16, 16, 12, 12, 12], seconds: 40, planning: 4 };
  const makespan = shape.planning + 16 * shape.seconds;

  it('is unknown until a measurement was timed, then right within 20 % from the first minute (a count per minute is not)', () => {
    const lanes = new LaneEstimator();
    const rate = new RateEstimator();
    const etaAt = new Map<number, number | null>();
    const rateEtaAt = new Map<number, number>();
    for (let t = 0; t <= makespan; t += 2) {
      const p = campaignAt(t, shape);
      lanes.add(t * 1000, p);
      rate.add(t * 1000, p.finished);
      etaAt.set(t, lanes.etaSeconds(t * 1000, p));
      const perMinute = rate.perMinute();
      if (perMinute) rateEtaAt.set(t, ((p.total - p.finished) / perMinute) * 60);
    }
    expect(etaAt.get(30)).toBeNull(); // nothing finished yet
    for (const t of [60, 120, 300, 500]) {
      const truth = makespan - t;
      expect(Math.abs(etaAt.get(t)! - truth) / truth).toBeLessThanOrEqual(0.2);
    }
    // the old estimate at one minute: 6 finished in 60 s -> 78 left at 6/min = 13 min instead of ~9.7 min
    expect(Math.abs(rateEtaAt.get(60)! - (makespan - 60)) / (makespan - 60)).toBeGreaterThan(0.2);
  });

  it('says measurements per minute over the lanes with work left', () => {
    const lanes = new LaneEstimator();
    for (let t = 0; t <= 100; t += 2) lanes.add(t * 1000, campaignAt(t, shape));
    expect(lanes.secondsPerMeasurement()).toBeCloseTo(40, 0);
    expect(lanes.perMinute(campaignAt(100, shape))).toBeCloseTo(9, 0);
  });

  it('does not time a measurement it first saw already running (a watch that joins mid-campaign)', () => {
    const lanes = new LaneEstimator();
    lanes.add(0, campaignAt(300, shape)); // every lane mid-measurement at the first look
    lanes.add(30_000, campaignAt(330, shape)); // each lane moved on: the one it left had an unknown start
    expect(lanes.secondsPerMeasurement()).toBeNull();
    lanes.add(70_000, campaignAt(370, shape));
    expect(lanes.secondsPerMeasurement()).toBeCloseTo(40, 0);
    // from there: the busiest lane has 16 - 9 - 1 = 6 queued after the running one, which just started
    expect(lanes.etaSeconds(70_000, campaignAt(370, shape))).toBe(7 * 40);
  });
});

describe('LaneEstimator with work stealing', () => {
  it('spreads the work left over every testbed instead of waiting for the busiest queue', () => {
    // tb1 has 10 queued after its running one, tb2 nothing left: tb2 will take half of tb1's
    const at = (t: number, next1: number, running1: string | null): CampaignProgress => ({
      campaign: 'c', config: 'c.yaml', state: 'running', total: 14, finished: next1 + 2, ok: next1 + 2, failed: 0, running: [], failures: [], runs: 1, workStealing: true,
      testbeds: [
        { id: 'tb1', total: 12, next: next1, ok: next1, failed: 0, running: running1 },
        { id: 'tb2', total: 2, next: 2, ok: 2, failed: 0, running: null },
      ],
    });
    const lanes = new LaneEstimator({ startedAtMs: 0 });
    lanes.add(0, at(0, 0, 'c/a/n/m0'));
    lanes.add(20_000, at(20, 1, 'c/a/n/m1'));
    expect(lanes.secondsPerMeasurement()).toBe(20);
    // 10 queued + the running one (just started) = 11 x 20 s of work on 2 testbeds
    expect(lanes.etaSeconds(20_000, at(20, 1, 'c/a/n/m1'))).toBe(110);
    expect(lanes.perMinute(at(20, 1, 'c/a/n/m1'))).toBe(6);
    const noStealing = { ...at(20, 1, 'c/a/n/m1'), workStealing: undefined };
    expect(lanes.etaSeconds(20_000, noStealing)).toBe(220);
  });
});

describe('LaneEstimator in a campaign the watch started', () => {
  it('times each lane\'s first measurement from the start, though the first look already shows it running', () => {
    const shape = { lanes: [8, 8, 4], seconds: 40, planning: 2 };
    const lanes = new LaneEstimator({ startedAtMs: 0 });
    lanes.add(2000, campaignAt(2, shape)); // the first answer: every lane already runs its first
    lanes.add(44_000, campaignAt(44, shape));
    // start (0) to the next measurement (seen at 44 s): 44 s, planning included
    expect(lanes.secondsPerMeasurement()).toBeCloseTo(44, 0);
    // without the start the first measurements are not timed
    const joined = new LaneEstimator();
    joined.add(2000, campaignAt(2, shape));
    joined.add(44_000, campaignAt(44, shape));
    expect(joined.secondsPerMeasurement()).toBeNull();
  });
});
