import { seededRandom } from './seeded-random';

describe('seededRandom', () => {
  test('the same seed gives the same sequence, another seed another one', () => {
    const take = (seed: number): number[] => Array.from({ length: 5 }, seededRandom(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
  });

  test('values lie in [0, 1) and spread over the interval', () => {
    const next = seededRandom(7);
    const values = Array.from({ length: 10000 }, next);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const buckets = [0, 0, 0, 0];
    for (const v of values) buckets[Math.floor(v * 4)] += 1;
    for (const count of buckets) expect(count).toBeGreaterThan(2000);
  });

  test('seed 0 does not get stuck at zero', () => {
    expect(seededRandom(0)()).toBeGreaterThan(0);
  });
});
