import type { CampaignProgress } from '../lib/measurement/payloads';
import { followProgress, formatDuration, RateEstimator, renderProgressLine } from './campaign-progress';

function progress(over: Partial<CampaignProgress> = {}): CampaignProgress {
  return {
    campaign: 'demo',
    config: 'configs/campaigns/demo.yaml',
    state: 'running',
    total: 84,
    finished: 40,
    ok: 38,
    failed: 2,
    running: ['demo/threema/de-ber/es-mad'],
    testbeds: [
      { id: 'tb1', total: 42, next: 20, ok: 19, failed: 1, running: 'demo/threema/de-ber/es-mad' },
      { id: 'tb2', total: 42, next: 20, ok: 19, failed: 1, running: null },
    ],
    failures: [],
    runs: 1,
    ...over,
  };
}

describe('renderProgressLine', () => {
  it('draws a bar, counts, each testbed, rate and ETA on a terminal', () => {
    expect(renderProgressLine(progress(), { elapsedSeconds: 1260, ratePerMinute: 2, tty: true, width: 200 })).toBe(
      '[#########...........] demo 40/84 (47%) ok 38 failed 2 | tb1 20/42 threema/de-ber/es-mad | tb2 20/42 idle | 2.0/min, ETA 22m00s',
    );
  });

  it('cuts the terminal line to the width', () => {
    const line = renderProgressLine(progress(), { elapsedSeconds: 1260, ratePerMinute: 2, tty: true, width: 60 });
    expect(line).toBe('[#########...........] demo 40/84 (47%) ok 38 failed 2 | t~');
    expect(line).toHaveLength(59);
  });

  it('prints a plain log line without a terminal', () => {
    expect(renderProgressLine(progress(), { elapsedSeconds: 75, ratePerMinute: 1.25, tty: false })).toBe(
      '[+1m15s] demo: 40/84 (47%) ok 38 failed 2; tb1 20/42 threema/de-ber/es-mad; tb2 20/42 idle; 1.3/min, ETA 35m12s',
    );
  });

  it('says ETA ? while the rate is unknown, and shows skipped and paused', () => {
    const p = progress({ state: 'paused', finished: 0, ok: 0, failed: 0, skipped: 80, total: 4, testbeds: [{ id: 'tb1', total: 4, next: 0, ok: 0, failed: 0, running: null }] });
    expect(renderProgressLine(p, { elapsedSeconds: 3, ratePerMinute: null, tty: false })).toBe(
      '[+3s] demo paused: 0/4 (0%) ok 0 failed 0 skipped 80; tb1 0/4 idle; elapsed 3s, ETA ?',
    );
  });

  it('shows the elapsed time when everything finished (also an empty resumed plan)', () => {
    const p = progress({ state: 'done', total: 0, finished: 0, ok: 0, failed: 0, skipped: 84, running: [], testbeds: [] });
    expect(renderProgressLine(p, { elapsedSeconds: 4, ratePerMinute: null, tty: true, width: 120 })).toBe(
      '[####################] demo done 0/0 (100%) ok 0 failed 0 skipped 84 |  | done in 4s',
    );
  });

  it('says what happens while the campaign is still planning', () => {
    const p = progress({ campaign: '', state: 'planning', total: 0, finished: 0, ok: 0, failed: 0, running: [], testbeds: [] });
    expect(renderProgressLine(p, { elapsedSeconds: 0, ratePerMinute: null, tty: false })).toBe('[+0s] campaign planning: loading configs/campaigns/demo.yaml and expanding the plan');
    expect(renderProgressLine(p, { elapsedSeconds: 0, ratePerMinute: null, tty: true, width: 40 })).toBe('campaign planning: loading configs/cam~');
  });
});

describe('formatDuration', () => {
  it('uses seconds, minutes+seconds, hours+minutes', () => {
    expect([0, 42, 307, 3720, 90061].map(formatDuration)).toEqual(['0s', '42s', '5m07s', '1h02m', '25h01m']);
  });
});

describe('RateEstimator', () => {
  it('is unknown before progress and measures finished per minute over the window', () => {
    const r = new RateEstimator(60_000);
    expect(r.perMinute()).toBeNull();
    r.add(0, 10);
    r.add(30_000, 10);
    expect(r.perMinute()).toBeNull();
    r.add(60_000, 14);
    expect(r.perMinute()).toBeCloseTo(4);
    r.add(120_000, 14); // old samples leave the window: 0 finished in the last minute
    expect(r.perMinute()).toBeNull();
  });
});

describe('followProgress', () => {
  // The clock moves 1 s per query, so every line below is exact.
  it('redraws one terminal line per poll and ends with the final state and a newline', async () => {
    const out: string[] = [];
    let calls = 0;
    let clock = 0;
    let end!: () => void;
    const done = new Promise<void>((resolve) => (end = resolve));
    await followProgress({
      query: async () => {
        calls += 1;
        clock += 1000;
        if (calls === 3) end();
        const finished = Math.min(calls, 3);
        return progress({ total: 3, finished, ok: finished, failed: 0, testbeds: [] });
      },
      done,
      out: { write: (t: string) => out.push(t) },
      tty: true,
      width: () => 200,
      pollMs: 1,
      now: () => clock,
    });
    expect(out).toEqual([
      '\r[######..............] demo 1/3 (33%) ok 1 failed 0 |  | elapsed 1s, ETA ?\x1b[K',
      '\r[#############.......] demo 2/3 (66%) ok 2 failed 0 |  | elapsed 2s, ETA ?\x1b[K',
      '\r[####################] demo 3/3 (100%) ok 3 failed 0 |  | done in 3s\x1b[K',
      '\r[####################] demo 3/3 (100%) ok 3 failed 0 |  | done in 4s\x1b[K',
      '\n',
    ]);
  });

  it('without a terminal prints a line at most every lineEveryMs, and survives failing queries', async () => {
    const out: string[] = [];
    let calls = 0;
    let clock = 0;
    let end!: () => void;
    const done = new Promise<void>((resolve) => (end = resolve));
    await followProgress({
      query: async () => {
        calls += 1;
        clock += 1000;
        if (calls === 4) throw new Error('no poller\nsecond line');
        if (calls === 6) end();
        return progress({ total: 10, finished: calls, ok: calls, failed: 0, testbeds: [] });
      },
      done,
      out: { write: (t: string) => out.push(t) },
      tty: false,
      pollMs: 1,
      lineEveryMs: 3000,
      now: () => clock,
    });
    expect(out).toEqual([
      '[+1s] demo: 1/10 (10%) ok 1 failed 0; elapsed 1s, ETA ?\n',
      'progress query failed (no poller); retrying\n',
      '[+7s] demo: 7/10 (70%) ok 7 failed 0; 60.0/min, ETA 3s\n',
    ]);
  });
});
