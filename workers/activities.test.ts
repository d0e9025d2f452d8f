import { maxClockSkewFromEnv } from './activities';

test('MATADOR_MAX_CLOCK_SKEW_MS: unset keeps the default, a number sets the bound, anything else is one config line', () => {
  expect(maxClockSkewFromEnv(undefined)).toEqual({});
  expect(maxClockSkewFromEnv('')).toEqual({});
  expect(maxClockSkewFromEnv('500')).toEqual({ maxClockSkewMs: 500 });
  for (const bad of ['0', '-1', 'two seconds', 'Infinity']) {
    expect(() => maxClockSkewFromEnv(bad)).toThrow(`environment MATADOR_MAX_CLOCK_SKEW_MS: expected milliseconds > 0, got ${JSON.stringify(bad)}`);
  }
});
