import { execFile } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { adbKeyboardCommand, canUseInputText, inputTextArgument } from './escape';

const execFileAsync = promisify(execFile);

const INPUT_TEXT_OK = ["it's \"quoted\"; $(touch /tmp/x) `id` && | > <", 'a  b ', ' lead', '~root $HOME !event #hash', 'x'];
const NEEDS_IME = ['Zürich', '東京 🚀', '50%', '%s', '*', 'a?', '[x]', 'back\\slash', '{a,b}', 'tab\there', 'new\nline', ''];

test.each(INPUT_TEXT_OK)('input text can type %j', (t) => expect(canUseInputText(t)).toBe(true));
test.each(NEEDS_IME)('input text cannot type %j exactly', (t) => {
  expect(canUseInputText(t)).toBe(false);
  expect(() => inputTextArgument(t)).toThrow(/ADBKeyboard/);
});

/**
 * The real check: a POSIX sh (dash) parses the command line like adbd's shell, and a function
 * with `$*` unquoted re-splits/globs like Android's /system/bin/input script. Runs in an empty
 * directory full of would-be glob matches.
 */
test.each(INPUT_TEXT_OK)('through sh and the $* re-split, %j arrives as one argument', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtph-esc-'));
  try {
    for (const f of ['a', 'x', 'lead', 'root']) fs.writeFileSync(path.join(dir, f), '');
    const script = `input() { for a in $*; do printf '[%s]' "$a"; done; }; input text ${inputTextArgument(t)}`;
    const { stdout } = await execFileAsync('sh', ['-c', script], { cwd: dir });
    expect(stdout).toBe(`[text][${t.replace(/ /g, '%s')}]`);
    expect(stdout.slice(7, -1).replace(/%s/g, ' ')).toBe(t);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.each([...INPUT_TEXT_OK, ...NEEDS_IME.filter(Boolean)])('ADBKeyboard command carries %j intact through sh', async (t) => {
  const cmd = adbKeyboardCommand(t).replace(/^am /, 'show ');
  const { stdout } = await execFileAsync('sh', ['-c', `show() { printf '%s\\n' "$@"; }; ${cmd}`]);
  const argv = stdout.split('\n');
  expect(argv.slice(0, 4)).toEqual(['broadcast', '-a', 'ADB_INPUT_B64', '--es']);
  expect(argv[4]).toBe('msg');
  expect(Buffer.from(argv[5], 'base64').toString('utf8')).toBe(t);
});
