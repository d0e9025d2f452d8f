import { DEFAULT_DATE_FORMAT, parseSetTime, strftimeUtc } from './toolbox-date';

const T = Date.UTC(2015, 11, 1, 20, 0, 5, 123); // 1449000005123

test('bionic strftime has no %N: the conversion character is printed (Android 5 `date +%s%N`)', () => {
  expect(strftimeUtc('%s%N', T)).toBe('1449000005N');
  expect(strftimeUtc('%s', T)).toBe('1449000005');
});

test("toolbox date's default format", () => {
  expect(strftimeUtc(DEFAULT_DATE_FORMAT, T)).toBe('Tue Dec  1 20:00:05 UTC 2015');
  expect(strftimeUtc('%Y%m%d.%H%M%S %%', T)).toBe('20151201.200005 %');
});

test('date -s YYYYMMDD.hhmmss', () => {
  expect(parseSetTime('20151201.200005')).toBe(T - 123);
  expect(parseSetTime('20151201')).toBe(Date.UTC(2015, 11, 1));
  expect(parseSetTime('yesterday')).toBeNull();
});
