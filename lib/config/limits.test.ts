import { LIMITS, runOptionsProblem } from './limits';

describe('run options of a campaign workflow', () => {
  it('pass when absent or within the limits', () => {
    expect(runOptionsProblem(undefined)).toBeNull();
    expect(runOptionsProblem({ timerScale: 0, timeoutScale: 0.1, maxAttempts: 1 })).toBeNull();
    expect(runOptionsProblem({ timerScale: LIMITS.scale, maxAttempts: LIMITS.attempts })).toBeNull();
  });

  it('are refused with the key and value when a timer would never fire or a loop never end', () => {
    expect(runOptionsProblem({ timerScale: 1e300 })).toBe('options.timerScale: expected a number between 0 and 1000, got 1e+300');
    expect(runOptionsProblem({ timerScale: -1 })).toBe('options.timerScale: expected a number between 0 and 1000, got -1');
    expect(runOptionsProblem({ timeoutScale: 'fast' })).toBe('options.timeoutScale: expected a number between 0 and 1000, got "fast"');
    expect(runOptionsProblem({ maxAttempts: 2.5 })).toBe('options.maxAttempts: expected an integer between 1 and 100, got 2.5');
    expect(runOptionsProblem({ timerScale: Number.NaN })).toBe('options.timerScale: expected a number between 0 and 1000, got null');
  });
});
