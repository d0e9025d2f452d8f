import { learnWindow, MIN_WINDOW_MS, nextLookAt, type ShowWindow } from './look-schedule';

const POLL = 100;

/** The looks of one message that shows `showsAfter` ms after the sending step (the first look comes at `first`). */
function looksFor(showsAfter: number, window: ShowWindow | null, first = 5): { looks: number[]; hit: number; next: ShowWindow | null } {
  const looks = [first];
  while (looks[looks.length - 1] < showsAfter) looks.push(nextLookAt({ last: looks[looks.length - 1], window, pollMs: POLL }));
  const hit = looks[looks.length - 1];
  const misses = looks.filter((t) => t < showsAfter);
  return { looks, hit, next: learnWindow({ before: window, lastMiss: misses.length ? misses[misses.length - 1] : null, hit }) };
}

describe('nextLookAt', () => {
  it('looks every pollMs without a window', () => {
    expect(nextLookAt({ last: 7, window: null, pollMs: POLL })).toBe(107);
  });
  it("lands on the window's middle, then its end, then every pollMs", () => {
    const w = { lo: 20, hi: 120 };
    expect(nextLookAt({ last: 5, window: w, pollMs: POLL })).toBe(70);
    expect(nextLookAt({ last: 70, window: w, pollMs: POLL })).toBe(120);
    expect(nextLookAt({ last: 120, window: w, pollMs: POLL })).toBe(220);
  });
  it('spreads the looks before a far target evenly, none more than pollMs apart', () => {
    const w = { lo: 300, hi: 400 };
    const looks = [5];
    while (looks[looks.length - 1] < 350) looks.push(nextLookAt({ last: looks[looks.length - 1], window: w, pollMs: POLL }));
    expect(looks[looks.length - 1]).toBe(350);
    expect(looks).toHaveLength(5); // as many as every 100 ms would take to get past 350
    for (let i = 1; i < looks.length; i++) expect(looks[i] - looks[i - 1]).toBeLessThanOrEqual(POLL);
  });
  it('does not split a window narrower than twice MIN_WINDOW_MS', () => {
    expect(nextLookAt({ last: 5, window: { lo: 40, hi: 40 + 2 * MIN_WINDOW_MS - 1 }, pollMs: POLL })).toBe(40 + 2 * MIN_WINDOW_MS - 1);
  });
});

describe('learnWindow', () => {
  it('is the last look without and the first with the message; narrows while messages come within it', () => {
    expect(learnWindow({ before: null, lastMiss: 9, hit: 109 })).toEqual({ lo: 9, hi: 109 });
    expect(learnWindow({ before: { lo: 9, hi: 109 }, lastMiss: 5, hit: 59 })).toEqual({ lo: 9, hi: 59 });
    expect(learnWindow({ before: { lo: 9, hi: 59 }, lastMiss: 34, hit: 59 })).toEqual({ lo: 34, hi: 59 });
  });
  it('starts again from the looks when a message comes before the window or after it, or never', () => {
    expect(learnWindow({ before: { lo: 30, hi: 50 }, lastMiss: null, hit: 5 })).toEqual({ lo: 0, hi: 5 });
    expect(learnWindow({ before: { lo: 30, hi: 50 }, lastMiss: 150, hit: 250 })).toEqual({ lo: 150, hi: 250 });
    expect(learnWindow({ before: { lo: 30, hi: 50 }, lastMiss: 150, hit: null })).toBeNull();
  });
});

describe('a measurement of ten messages', () => {
  it.each([25, 130, 420])('showing %p ms after their send: the looks come closer to it, never further apart than pollMs', (showsAfter) => {
    let window: ShowWindow | null = null;
    const late: number[] = [];
    let looks = 0;
    for (let i = 0; i < 10; i++) {
      const m = looksFor(showsAfter + (i % 3) - 1, window); // a millisecond of jitter either way
      for (let k = 1; k < m.looks.length; k++) expect(m.looks[k] - m.looks[k - 1]).toBeLessThanOrEqual(POLL);
      late.push(m.hit - (showsAfter + (i % 3) - 1));
      looks += m.looks.length;
      window = m.next;
    }
    const fixed = Array.from({ length: 10 }, (_, i) => looksFor(showsAfter + (i % 3) - 1, null));
    const fixedLate = fixed.reduce((s, m, i) => s + m.hit - (showsAfter + (i % 3) - 1), 0);
    const fixedLooks = fixed.reduce((s, m) => s + m.looks.length, 0);
    // After the first messages the look that sees it comes within 2 x MIN_WINDOW_MS of it showing.
    for (const l of late.slice(4)) expect(l).toBeLessThan(2 * MIN_WINDOW_MS);
    expect(late.reduce((a, b) => a + b, 0)).toBeLessThan(fixedLate);
    expect(looks).toBeLessThanOrEqual(fixedLooks + 3);
  });
});
