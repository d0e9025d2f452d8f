import { expandWord, parseCommandLine, ShSyntaxError, tokenize } from './sh-parse';

const words = (src: string): string[] => {
  const items = parseCommandLine(src);
  expect(items).toHaveLength(1);
  expect(items[0].pipeline).toHaveLength(1);
  return items[0].pipeline[0].words.map((w) => expandWord(w, (n) => (n === '?' ? '7' : n === 'HOME' ? '/data' : '')));
};

describe('sh-parse', () => {
  test.each([
    [`input text 'a b'`, ['input', 'text', 'a b']],
    [`echo "it's" 'say "hi"'`, ['echo', "it's", 'say "hi"']],
    [`echo 'x'\\''y'`, ['echo', "x'y"]],
    [`echo a\\ b \\$HOME`, ['echo', 'a b', '$HOME']],
    [`echo "\\$x \\"q\\" \\\\ \\n"`, ['echo', '$x "q" \\ \\n']],
    [`echo $? "$HOME" '$HOME'`, ['echo', '7', '/data', '$HOME']],
    [`echo '$(reboot)' '\`reboot\`' ';' '&&'`, ['echo', '$(reboot)', '`reboot`', ';', '&&']],
    [`echo 'Zürich 東京 🚀'`, ['echo', 'Zürich 東京 🚀']],
    [`echo '' ""`, ['echo', '', '']],
    [`echo a#b # comment`, ['echo', 'a#b']],
    [`echo $ x$`, ['echo', '$', 'x$']],
  ])('%s', (src, expected) => {
    expect(words(src)).toEqual(expected);
  });

  test('lists, pipelines and redirections', () => {
    const items = parseCommandLine('a 1 && b | c 2>/dev/null; d || e > f 2>&1\nz');
    expect(items.map((i) => i.joiner)).toEqual([';', '&&', ';', '||', ';']);
    expect(items[1].pipeline).toHaveLength(2);
    expect(items[1].pipeline[1].redirects).toEqual([{ fd: 2, op: '>', target: { parts: [{ kind: 'lit', text: '/dev/null' }] } }]);
    expect(items[3].pipeline[0].redirects.map((r) => [r.fd, r.op])).toEqual([[1, '>'], [2, '>&']]);
  });

  test.each([
    ['echo $(reboot)', /command substitution/],
    ['echo "$(reboot)"', /command substitution/],
    ['echo `reboot`', /command substitution/],
    ['echo "`reboot`"', /command substitution/],
    ['sleep 5 &', /background/],
    ["echo 'open", /unterminated/],
    ['echo "open', /unterminated/],
    ['a &&', /unexpected end/],
    ['| a', /unexpected/],
    ['echo ${a-b}', /bad substitution/],
  ])('refuses %s', (src, message) => {
    expect(() => parseCommandLine(src)).toThrow(ShSyntaxError);
    expect(() => parseCommandLine(src)).toThrow(message);
  });

  test('io numbers only directly before a redirection', () => {
    expect(tokenize('echo 2 > f').filter((t) => t.t === 'word').length).toBe(3);
    expect(tokenize('echo 2>f').filter((t) => t.t === 'word').length).toBe(3);
    expect(parseCommandLine('echo 2>f')[0].pipeline[0].words).toHaveLength(1);
  });
});
