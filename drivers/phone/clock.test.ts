import { CLOCK_MARK, estimateOffset, parseClockLines, splitClocked, toControllerIso } from './clock';

describe('parseClockLines', () => {
  test('GNU/toybox date with %N: nanoseconds', () => {
    expect(parseClockLines('1449000000123456789', '')).toEqual({ ms: 1449000000123 + 0.456789, precision: 'ns' });
  });
  test("Android 5 toolbox date prints %N's conversion char literally: mksh $EPOCHREALTIME gives microseconds", () => {
    expect(parseClockLines('1449000000N', '1449000000.250001')).toEqual({ ms: 1449000000250.001, precision: 'us' });
  });
  test('neither %N nor $EPOCHREALTIME (an older sh prints an empty line): whole seconds', () => {
    expect(parseClockLines('1449000000N', '')).toEqual({ ms: 1449000000000, precision: 's' });
    expect(parseClockLines('1449000000', '')).toEqual({ ms: 1449000000000, precision: 's' });
  });
  test('garbage is null', () => {
    expect(parseClockLines('date: bad format', 'x')).toBeNull();
  });
});

test('splitClocked: readings before and after, the command output between', () => {
  const out = `${CLOCK_MARK}\n1449000000N\n1449000000.100000\nUI hierchary dumped to: /sdcard/x.xml\n<?xml ...>${CLOCK_MARK}\n1449000001N\n1449000001.000000\n`;
  const { readings, bodies } = splitClocked(out);
  expect(readings.map((r) => r?.ms)).toEqual([1449000000100, 1449000001000]);
  expect(bodies[1]).toBe('UI hierchary dumped to: /sdcard/x.xml\n<?xml ...>');
});

describe('estimateOffset', () => {
  test('the shortest round trip wins; offset = phone - midpoint, uncertainty = rtt/2 + precision', () => {
    const o = estimateOffset([
      { sentMs: 1000, returnedMs: 1400, phone: { ms: 6100, precision: 'us' } },
      { sentMs: 2000, returnedMs: 2040, phone: { ms: 7020, precision: 'us' } },
    ]);
    expect(o).toEqual({ offsetMs: 5000, uncertaintyMs: 20.001, precision: 'us', roundTripMs: 40, samples: 2 });
  });
  test('seconds-only clocks: the middle of the second, ±500 ms more', () => {
    const o = estimateOffset([{ sentMs: 10_000, returnedMs: 10_010, phone: { ms: 10_000, precision: 's' } }]);
    expect(o?.offsetMs).toBe(495);
    expect(o?.uncertaintyMs).toBe(505);
  });
  test('no samples: null', () => expect(estimateOffset([])).toBeNull());
});

test('toControllerIso subtracts the offset', () => {
  expect(toControllerIso(Date.UTC(2026, 0, 1, 0, 0, 5), { offsetMs: 5000 })).toBe('2026-01-01T00:00:00.000Z');
});
