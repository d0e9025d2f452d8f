import { bounded, detailsText, foreign, oneLine } from './clean';

describe('workflow metadata text is safe to show', () => {
  it('bounds text by code points and marks the cut', () => {
    expect(bounded('abcdef', 6)).toBe('abcdef');
    expect(bounded('abcdef', 4)).toBe('abc…');
    // an emoji is one code point (two UTF-16 units): never cut in half
    expect(bounded('ab😀cd', 4)).toBe('ab😀…');
  });

  it('puts text on one line and escapes control and bidi characters', () => {
    expect(oneLine('  sent\n\tto\r\nB  ')).toBe('sent to B');
    expect(oneLine('\x1b[2Jgone\u202eevil')).toBe('\\x1b[2Jgone\\u{202e}evil');
    expect(oneLine('x'.repeat(500))).toHaveLength(200);
  });

  it('shows foreign text as an inline code span: no link, emphasis or HTML is rendered from it', () => {
    expect(foreign('[click](http://evil.example) <b>*x*</b>')).toBe('`[click](http://evil.example) <b>*x*</b>`');
    expect(foreign('a `b` c')).toBe("`a 'b' c`");
    expect(foreign('')).toBe("''");
    expect(foreign('y'.repeat(300), 10)).toBe(`\`${'y'.repeat(9)}…\``);
  });

  it('builds a headline with list items and stops at the size bound at a line end', () => {
    expect(detailsText('head', ['one', 'two\nlines'])).toBe('head\n\n- one\n- two lines');
    const long = detailsText('head', Array.from({ length: 50 }, (_, i) => `item ${i} ${'z'.repeat(40)}`), 300);
    expect(long.length).toBeLessThanOrEqual(300);
    expect(long.endsWith('\n- …')).toBe(true);
    expect(long.split('\n').slice(2, -1).every((l) => /^- item \d+ z{40}$/.test(l))).toBe(true);
  });
});
