import { compareStamps, formatTimestamp, fractionDigits, splitBinaryUnits, splitDecimalUnits } from './timestamp';

function split64(units: bigint): [number, number] {
  return [Number(units >> 32n), Number(units & 0xffffffffn)];
}

describe('splitDecimalUnits', () => {
  it('splits microseconds below 2^53 exactly', () => {
    const out = { sec: 0, nsec: 0 };
    const [hi, lo] = split64(1795234329123456n);
    splitDecimalUnits(hi, lo, 6, out);
    expect(out).toEqual({ sec: 1795234329, nsec: 123456000 });
  });

  it('splits nanoseconds above 2^53 exactly (long division path)', () => {
    const out = { sec: 0, nsec: 0 };
    const [hi, lo] = split64(1795234329123456789n);
    splitDecimalUnits(hi, lo, 9, out);
    expect(out).toEqual({ sec: 1795234329, nsec: 123456789 });
  });

  it('handles milliseconds and picoseconds', () => {
    const out = { sec: 0, nsec: 0 };
    splitDecimalUnits(0, 1500, 3, out);
    expect(out).toEqual({ sec: 1, nsec: 500000000 });
    const [hi, lo] = split64(1000000000001234567n);
    splitDecimalUnits(hi, lo, 12, out);
    expect(out).toEqual({ sec: 1000000, nsec: 1234 });
  });
});

describe('splitBinaryUnits', () => {
  it('splits 2^-20 second units', () => {
    const out = { sec: 0, nsec: 0 };
    const [hi, lo] = split64((1700000000n << 20n) | (1n << 19n));
    splitBinaryUnits(hi, lo, 20, out);
    expect(out).toEqual({ sec: 1700000000, nsec: 500000000 });
  });
});

describe('formatTimestamp', () => {
  it('prints microsecond and nanosecond fractions', () => {
    expect(formatTimestamp(1795234329, 123456000, 6)).toBe('2026-11-21T04:12:09.123456Z');
    expect(formatTimestamp(1795234329, 123456789, 9)).toBe('2026-11-21T04:12:09.123456789Z');
    expect(formatTimestamp(0, 5, 9)).toBe('1970-01-01T00:00:00.000000005Z');
    expect(formatTimestamp(0, 0, 0)).toBe('1970-01-01T00:00:00Z');
  });
  it('does not throw outside the range of Date', () => {
    expect(formatTimestamp(2 ** 52, 0, 3)).toBe(`@${2 ** 52}.000`);
  });
});

describe('fractionDigits and compareStamps', () => {
  it('derives digits from the resolution', () => {
    expect(fractionDigits({ decimals: 6 })).toBe(6);
    expect(fractionDigits({ decimals: 12 })).toBe(9);
    expect(fractionDigits({ bits: 20 })).toBe(7);
  });
  it('orders stamps', () => {
    expect(compareStamps(1, 5, 1, 6)).toBeLessThan(0);
    expect(compareStamps(2, 0, 1, 999999999)).toBeGreaterThan(0);
    expect(compareStamps(3, 3, 3, 3)).toBe(0);
  });
});
