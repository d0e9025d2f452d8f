import { html, scriptJson } from './escape';

describe('html', () => {
  it('escapes the characters that mean something in markup and attributes', () => {
    expect(html(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
  });
  it('shows control and bidi characters like the terminal does', () => {
    expect(html('evil\x1b[2J\u202e')).toBe('evil\\x1b[2J\\u{202e}');
  });
  it('keeps printable non-ASCII text, writes numbers, and nothing for null', () => {
    expect(html('Zürich ↔ 東京')).toBe('Zürich ↔ 東京');
    expect(html(42)).toBe('42');
    expect(html(null)).toBe('');
  });
});

describe('scriptJson', () => {
  it('cannot close its script element or open a comment', () => {
    const text = scriptJson({ app: '</script><script>alert(1)</script><!--', sep: '\u2028' });
    expect(text).not.toMatch(/<\/?script|<!--/i);
    expect(JSON.parse(text)).toEqual({ app: '</script><script>alert(1)</script><!--', sep: '\u2028' });
  });
});
