import { escapeMaybe, escapeText } from './escape';

test('control characters become \\xNN, printable text is kept', () => {
  expect(escapeText('\x1b]0;pwned\x07\x1b[2J')).toBe('\\x1b]0;pwned\\x07\\x1b[2J');
  expect(escapeText('a\r\nb\tc\x00\x7f\x9b')).toBe('a\\x0d\\x0ab\\x09c\\x00\\x7f\\x9b');
  expect(escapeText('www.example.com')).toBe('www.example.com');
  expect(escapeText('café ÿ 日本 a b')).toBe('café ÿ 日本 a b');
});

test('format characters, separators and lone surrogates are escaped too', () => {
  expect(escapeText('abc\u202egpj.exe')).toBe('abc\\u{202e}gpj.exe');
  expect(escapeText('x\u2028y\u200bz')).toBe('x\\u{2028}y\\u{200b}z');
  expect(escapeText('a\ud800b')).toBe('a\\u{d800}b');
  expect(escapeText('\u00ad')).toBe('\\xad'); // soft hyphen (Cf)
});

test('the escaped text holds no character a terminal interprets', () => {
  let all = '';
  for (let c = 0; c < 0x300; c++) all += String.fromCharCode(c);
  // eslint-disable-next-line no-control-regex
  expect(escapeText(all)).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
});

test('escapeMaybe keeps null and undefined', () => {
  expect(escapeMaybe(null)).toBeNull();
  expect(escapeMaybe(undefined)).toBeUndefined();
  expect(escapeMaybe('\x1b')).toBe('\\x1b');
});

test('JSON.stringify already escapes every control character', () => {
  let all = '';
  for (let c = 0; c < 0xa0; c++) all += String.fromCharCode(c);
  // eslint-disable-next-line no-control-regex
  expect(JSON.stringify({ name: all })).not.toMatch(/[\x00-\x1f]/);
  expect(JSON.stringify('\x1b]0;x\x07')).toBe('"\\u001b]0;x\\u0007"');
});
