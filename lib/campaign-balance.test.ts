import type { TestbedProgress } from './measurement/payloads';
import { advanceLane, laneAt, stealCount, takeOver } from './campaign-balance';

const lane = (id: string, total: number, next: number, running: string | null = null): TestbedProgress => ({ id, total, next, ok: next, failed: 0, running });

describe('stealCount', () => {
  it('takes about half, never the first queued one, in whole node pairs when half is one at least', () => {
    expect([0, 1].map((w) => stealCount(w, 4))).toEqual([0, 0]);
    expect(stealCount(2, 4)).toBe(1); // the tail of a pair: split it rather than wait
    expect(stealCount(3, 4)).toBe(2);
    expect(stealCount(5, 4)).toBe(3);
    expect(stealCount(8, 4)).toBe(4);
    expect(stealCount(22, 4)).toBe(12); // half is 11: the nearest whole pairs
    expect(stealCount(24, 4)).toBe(12);
    expect(stealCount(9, 1)).toBe(5);
    for (let w = 0; w < 60; w++) for (const u of [1, 2, 4]) expect(stealCount(w, u)).toBeLessThanOrEqual(Math.max(0, w - 1));
  });
});

describe('takeOver', () => {
  it('moves the end of the busiest lane\'s range to the idle lane, which then works there', () => {
    const idle = lane('tb1', 26, 26);
    const busy = lane('tb2', 26, 10, 'c/x'); // 15 queued after the running one
    const other = lane('tb3', 25, 20, 'c/y');
    expect(takeOver(idle, [idle, busy, other], 4)).toBe(busy);
    expect(busy.total).toBe(18); // 8 taken: two node pairs of tb2's queue, offsets 18..25
    expect(idle).toMatchObject({ total: 34, next: 26, at: { queue: 'tb2', offset: 18 } });
    expect(laneAt(idle)).toEqual({ queue: 'tb2', offset: 18 });
    advanceLane(idle);
    expect(laneAt(idle)).toEqual({ queue: 'tb2', offset: 19 });
    expect(idle.next).toBe(27);
  });

  it('takes from a lane that itself works in a taken range, in that range\'s queue', () => {
    const thief = lane('tb3', 4, 4);
    const holder: TestbedProgress = { ...lane('tb1', 34, 27, 'c/z'), at: { queue: 'tb2', offset: 19 } }; // running tb2#19, 6 queued up to tb2#25
    expect(takeOver(thief, [holder, thief], 4)).toBe(holder);
    expect(holder.total).toBe(31); // 3 of its 6 queued (half is less than a pair)
    expect(thief.at).toEqual({ queue: 'tb2', offset: 23 });
    expect(thief.total).toBe(7);
  });

  it('takes nothing for a lane with work left, or when nobody has more than one queued', () => {
    const working = lane('tb1', 10, 3);
    const busy = lane('tb2', 30, 0);
    expect(takeOver(working, [working, busy], 4)).toBeNull();
    const idle = lane('tb3', 5, 5);
    const last = lane('tb4', 6, 4, 'c/w'); // one queued after the running one
    expect(takeOver(idle, [idle, last], 4)).toBeNull();
    expect(last.total).toBe(6);
    expect(idle).not.toHaveProperty('at');
  });

  it('conserves the work: every offset of every queue is run by exactly one lane', () => {
    // 5 lanes, uneven queues; lanes run in lock step, idle ones take over
    const lanes = [lane('a', 30, 0), lane('b', 4, 0), lane('c', 12, 0), lane('d', 1, 0), lane('e', 0, 0)];
    const ran = new Map<string, number>();
    for (let round = 0; round < 100 && lanes.some((l) => l.next < l.total); round++) {
      for (const l of lanes) if (l.next >= l.total) takeOver(l, lanes, 4);
      for (const l of lanes) l.running = l.next < l.total ? 'm' : null;
      for (const l of lanes) {
        if (l.next >= l.total) continue;
        const at = laneAt(l);
        const key = `${at.queue}#${at.offset}`;
        ran.set(key, (ran.get(key) ?? 0) + 1);
        l.running = null;
        advanceLane(l);
      }
    }
    const expected = [['a', 30], ['b', 4], ['c', 12], ['d', 1]].flatMap(([q, n]) => Array.from({ length: n as number }, (_, i) => `${q}#${i}`));
    expect([...ran.keys()].sort()).toEqual(expected.sort());
    expect([...ran.values()].every((n) => n === 1)).toBe(true);
    // and the load is shared: nobody ran more than a third of the 47
    expect(Math.max(...lanes.map((l) => l.next))).toBeLessThanOrEqual(16);
  });
});
