/**
 * The driver's typing paths against the virtual phone's shell and screen, without adb: the text
 * must land in the focused field exactly; the Android 5 `input` quirks must show when the
 * escaping is wrong.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ADB_KEYBOARD_IME, adbKeyboardCommand, canUseInputText, inputTextArgument } from '../../drivers/phone/escape';
import { parseUiDump } from '../../drivers/phone/ui-xml';
import { VirtualDevice } from '../../testbed/phone/device';
import { runShell } from '../../testbed/phone/shell';

let dir: string;
let dev: VirtualDevice;

function draft(): string {
  const el = parseUiDump(dev.ui.toXml()).find((e) => e.resourceId === 'ch.threema.app:id/embedded_text_editor');
  if (!el) throw new Error('compose field not on screen');
  return el.text;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtph-typing-'));
  // Not booted: no app processes, no namespace access; only shell, UI and files are used.
  dev = new VirtualDevice({ name: 'mtph-typing', netns: 'mtph-unused', stateDir: dir, account: 'a', peer: 'b', peerName: 'MATAdOR B', apps: [{ app: 'threema' }] });
  dev.ui.showApp('threema');
  const row = parseUiDump(dev.ui.toXml()).find((e) => e.text === 'MATAdOR B');
  dev.ui.tap(row!.bounds[0] + 5, row!.bounds[1] + 5);
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const TEXTS = [
  `it's "quoted"; $(touch ${os.tmpdir()}/mtph-never) \`id\` && echo | cat > f`,
  '  two  spaces  ',
  'Zürich → 東京 🚀',
  '100% %s *? [a] {a,b} back\\slash',
  'line\nbreak\ttab',
];

test.each(TEXTS)('the driver path types %j exactly', async (text) => {
  if (canUseInputText(text)) {
    expect(await runShell(dev, `input text ${inputTextArgument(text)}`)).toMatchObject({ code: 0 });
  } else {
    expect((await runShell(dev, `ime set ${ADB_KEYBOARD_IME}`)).code).toBe(0);
    const r = await runShell(dev, adbKeyboardCommand(text));
    expect(r.stdout.toString()).toContain('Broadcast completed: result=0');
  }
  expect(draft()).toBe(text);
  expect(fs.existsSync(path.join(os.tmpdir(), 'mtph-never'))).toBe(false);
});

test('Android 5 quirks: unescaped blanks are re-split, %s becomes a space, unicode throws', async () => {
  const split = await runShell(dev, "input text 'a b'");
  expect(split.stderr.toString()).toContain('Error: Invalid arguments for command: text');
  expect(draft()).toBe('');
  await runShell(dev, "input text '50%sOFF'");
  expect(draft()).toBe('50 OFF');
  const uni = await runShell(dev, "input text 'Zürich'");
  expect(uni.code).toBe(1);
  expect(uni.stderr.toString()).toContain('NullPointerException');
  expect(draft()).toBe('50 OFF');
});

test('ADBKeyboard types only when it is the selected IME', async () => {
  await runShell(dev, adbKeyboardCommand('ignored'));
  expect(draft()).toBe('');
});

test('keyevent 66 sends the draft; the chat shows it with the pending clock (the app is not running)', async () => {
  await runShell(dev, `input text ${inputTextArgument('hello')}`);
  expect((await runShell(dev, 'input keyevent 66')).code).toBe(0);
  expect(draft()).toBe('');
  expect(dev.messages[0]).toMatchObject({ direction: 'out', text: 'hello', failed: true });
  const xml = (await runShell(dev, 'uiautomator dump /dev/tty')).stdout.toString();
  expect(xml).toMatch(/text="hello"[^>]*resource-id="[^"]+"/);
  expect((await runShell(dev, 'ls /sdcard/matador')).code).not.toBe(0); // no message log
});
