import { measurementWaitsAsRun, timerAsRunSeconds } from './timers';

describe('timerAsRunSeconds', () => {
  it.each([
    [0, 0],
    [-1, 0],
    [0.1, 1],
    [0.4, 1],
    [1, 1],
    [1.2, 1.2],
    [60, 60],
  ])('%p s -> %p s', (seconds, asRun) => {
    expect(timerAsRunSeconds(seconds)).toBe(asRun);
  });
});

describe('measurementWaitsAsRun', () => {
  it('paper timers x 0.02: 6.6 s configured, 12 s as run (nine 0.4 s waits take 1 s each)', () => {
    const messageWaits = [1.2, ...Array.from({ length: 9 }, () => 0.4)];
    expect(measurementWaitsAsRun({ messageWaits, settleSeconds: 1.2, captureTailSeconds: 0.6 })).toEqual({ configured: 6.6, asRun: 12 });
  });

  it('paper timers x 0.05 are all honoured: 16.5 s both ways', () => {
    const messageWaits = [3, ...Array.from({ length: 9 }, () => 1)];
    expect(measurementWaitsAsRun({ messageWaits, settleSeconds: 3, captureTailSeconds: 1.5 })).toEqual({ configured: 16.5, asRun: 16.5 });
  });

  it('no timers at all (timerScale 0) cost nothing', () => {
    expect(measurementWaitsAsRun({ messageWaits: [0, 0, 0] })).toEqual({ configured: 0, asRun: 0 });
  });
});
