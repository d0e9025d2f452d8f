import { execFileSync } from 'child_process';
import { shellCommand, shellQuote } from './shell-quote';

/** Nasty arguments: command substitution, quotes, globbing, newlines, unicode, leading dashes. */
const NASTY = [
  '$(reboot)',
  '`reboot`',
  "it's",
  "'",
  "''",
  '"double" and \'single\'',
  'a\nb\n',
  '\n',
  'tab\there',
  'back\\slash\\',
  '*',
  '~root',
  '; rm -rf / #',
  '&& echo pwned || true',
  '$HOME ${PATH} $1 $@ $$',
  'héllo wörld — 你好 🚀',
  '-n',
  '--',
  '',
  ' leading and trailing ',
  '!event',
  '\u00a0nbsp\u200b',
  "x'$(id)'y",
];

/** Runs `sh -c 'printf "%s\0" ARGS'` and splits on NUL, which shows exactly what sh received. */
function roundTrip(shell: string, args: string[]): string[] {
  const out = execFileSync(shell, ['-c', `printf '%s\\0' ${args.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
  const parts = out.split('\0');
  parts.pop(); // trailing terminator
  return parts;
}

describe('shellQuote', () => {
  it('wraps in single quotes and escapes single quotes as \'\\\'\'', () => {
    expect(shellQuote('abc')).toBe("'abc'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it.each(['/bin/sh', '/bin/bash', '/bin/dash'])('round-trips every nasty string verbatim through %s -c', (shell) => {
    expect(roundTrip(shell, NASTY)).toEqual(NASTY);
  });

  it('round-trips each nasty string on its own', () => {
    for (const value of NASTY) expect(roundTrip('/bin/sh', [value])).toEqual([value]);
  });

  it('shellCommand runs the intended program with intact arguments and no side effects', () => {
    const out = execFileSync('/bin/sh', ['-c', shellCommand(['printf', '[%s]', '$(echo injected)', '`id`'])], { encoding: 'utf8' });
    expect(out).toBe('[$(echo injected)][`id`]');
  });

  it('refuses NUL bytes and empty argv', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
    expect(() => shellCommand([])).toThrow(/empty argv/);
  });
});
