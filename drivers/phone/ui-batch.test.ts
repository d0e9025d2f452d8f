import { execFile } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLOCK_MARK } from './clock';
import { inputTextArgument } from './escape';
import { parseCommandLine } from '../../testbed/phone/sh-parse';
import type { UiStep } from '../../lib/config/app';
import { PhoneDriver } from './index';
import { batchCommand, readBatchOutput, type BatchedInput } from './ui-batch';
import { parseUiDump } from './ui-xml';

const execFileAsync = promisify(execFile);

const XML = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0"><node index="0" text="" resource-id="ch.threema.app:id/send_button" class="android.widget.ImageButton" package="ch.threema.app" content-desc="Send" bounds="[600,1700][700,1800]" /></hierarchy>`;
/** A chat screen: the compose field and the send button. */
const CHAT = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0"><node index="0" text="" resource-id="ch.threema.app:id/embedded_text_editor" class="android.widget.EditText" package="ch.threema.app" content-desc="" bounds="[10,840][440,940]" /><node index="1" text="" resource-id="ch.threema.app:id/send_button" class="android.widget.ImageButton" package="ch.threema.app" content-desc="Send" bounds="[450,840][530,940]" /></hierarchy>`;
const HOSTILE = `it's "quoted"; $(touch pwned) \`id\` && | > < ~ $HOME`;

const tap: BatchedInput = { command: 'input tap 540 1700', operation: 'tap ch.threema.app:id/embedded_text_editor', failure: 'shell_error' };
const type = (text: string): BatchedInput => ({ command: `input text ${inputTextArgument(text)}`, operation: 'input text', failure: 'input_rejected' });

/**
 * Runs a batch through a real POSIX sh (dash, as adbd's shell parses it) with stand-ins for the
 * phone's programs: `input` logs its argv (one line per call, each word in brackets) and exits
 * with the code FAIL_AT names for that call; `uiautomator`, `rm` and `cat` behave like a phone
 * whose dump succeeds (or reports DUMP_ERROR); `date` prints a fixed clock.
 */
async function runOnSh(command: string, o: { failAt?: number; failOutput?: string; dumpError?: string; xml?: string; log?: string } = {}): Promise<{ stdout: string; stderr: string; exitCode: number; calls: string[]; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtph-batch-'));
  const log = o.log ?? path.join(dir, 'input.log');
  const stubs = [
    `n=0`,
    `input() { n=$((n+1)); line=''; for a in "$@"; do line="$line[$a]"; done; printf '%s\\n' "$line" >>'${log}'; if [ "$n" = '${o.failAt ?? 0}' ]; then echo '${o.failOutput ?? 'boom'}'; return 3; fi; }`,
    `rm() { :; }`,
    o.dumpError ? `uiautomator() { echo '${o.dumpError}' >&2; }` : `uiautomator() { echo "UI hierchary dumped to: $2"; }`,
    o.dumpError ? `cat() { return 1; }` : `cat() { printf '%s\\n' '${o.xml ?? XML}'; }`,
    `date() { echo 1449000000123456789; }`,
  ].join('\n');
  try {
    const r = await execFileAsync('sh', ['-c', `${stubs}\n${command}`], { cwd: dir }).catch((err: { stdout: string; stderr: string; code: number }) => err);
    const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    return { stdout: r.stdout, stderr: r.stderr, exitCode: 'code' in r && typeof r.code === 'number' ? r.code : 0, calls, dir };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('tap, hostile text and the next tap\'s dump in one command: the text is one argument, nothing else runs', async () => {
  const inputs = [tap, type(HOSTILE)];
  const command = batchCommand(inputs, { kind: 'dump' });
  const r = await runOnSh(command);
  expect(r.calls).toEqual(['[tap][540][1700]', `[text][${HOSTILE.replace(/ /g, '%s')}]`]);
  expect(fs.existsSync(path.join(r.dir, 'pwned'))).toBe(false);
  const out = readBatchOutput(inputs, { kind: 'dump' }, r, 'phone-1');
  expect(out.done).toBe(2);
  expect(out.failed).toBeNull();
  expect(out.dump?.elements.map((e) => e.contentDesc)).toEqual(['Send']);
  expect(out.look).toBeNull();
});

test('a failing input stops the batch there and fails as that step would alone (operation, failure, exit, output)', async () => {
  const inputs = [tap, type('hello'), { command: 'input keyevent 66', operation: 'keyevent 66', failure: 'shell_error' as const }];
  const r = await runOnSh(batchCommand(inputs, { kind: 'dump' }), { failAt: 2, failOutput: 'java.lang.NullPointerException: no text' });
  expect(r.calls).toHaveLength(2); // the key event never ran
  const out = readBatchOutput(inputs, { kind: 'dump' }, r, 'phone-1');
  expect(out.done).toBe(1);
  expect(out.failed).toEqual({ ok: false, failure: 'input_rejected', operation: 'input text', detail: expect.stringContaining('exited 3: java.lang.NullPointerException: no text') });
  expect(out.dump).toBeNull(); // the steps failed: the dump is not the screen of a next step
});

test('an input that reports an error but exits 0 fails its step (as the single command does)', () => {
  const inputs = [tap, type('hello')];
  const stdout = `Error: Invalid arguments for command: tap\n@@matador-ui-step-0\n@@matador-ui-step-1\n@@matador-ui-status 0\n`;
  const out = readBatchOutput(inputs, { kind: 'none' }, { stdout, stderr: '', exitCode: 0 }, 'phone-1');
  expect(out.done).toBe(0);
  expect(out.failed).toMatchObject({ failure: 'shell_error', operation: tap.operation, detail: expect.stringContaining('Error: Invalid arguments') });
});

test('a transient dump error leaves no screen (the next tap dumps itself)', async () => {
  const inputs = [tap, type('hello')];
  const r = await runOnSh(batchCommand(inputs, { kind: 'dump' }), { dumpError: 'ERROR: could not get idle state.' });
  const out = readBatchOutput(inputs, { kind: 'dump' }, r, 'phone-1');
  expect(out.done).toBe(2);
  expect(out.failed).toBeNull();
  expect(out.dump).toBeNull();
});

test('a look after the sending tap: the clock around the dump, read as observe.ts reads a look', async () => {
  const r = await runOnSh(batchCommand([tap], { kind: 'look', notifications: false }));
  expect(r.stdout).toContain(CLOCK_MARK);
  const out = readBatchOutput([tap], { kind: 'look', notifications: false }, r, 'phone-1');
  expect(out.done).toBe(1);
  expect(out.look?.before.precision).toBe('ns');
  expect(out.look?.elements?.map((e) => e.resourceId)).toEqual(['ch.threema.app:id/send_button']);
});

test('the command is in the shell subset a phone shell parses: no command substitution or background job of its own', () => {
  // The virtual phone's parser refuses `$(...)`, backticks and `&` outside quotes.
  const command = batchCommand([tap, type(HOSTILE)], { kind: 'look', notifications: true });
  const items = parseCommandLine(command);
  const typed = items.flatMap((i) => i.pipeline).find((c) => c.words.length === 3 && c.words[1].parts.some((p) => p.kind === 'lit' && p.text === 'text'));
  expect(typed?.words[2].parts).toEqual([{ kind: 'lit', text: HOSTILE.replace(/ /g, '%s') }]);
  expect(() => batchCommand([], { kind: 'dump' })).toThrow(/no input/);
});

describe('runUiSteps batches input steps (the device: a POSIX sh with stand-ins, see runOnSh)', () => {
  const steps: UiStep[] = [
    { action: 'tap', element: 'ch.threema.app:id/embedded_text_editor' },
    { action: 'input-text', text: '${message}' },
    { action: 'tap', element: 'ch.threema.app:id/send_button' },
  ];
  const opts = { packageName: 'ch.threema.app', vars: { message: HOSTILE } };

  async function withDevice(fn: (driver: PhoneDriver, commands: string[], inputs: () => string[]) => Promise<void>): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtph-run-'));
    const log = path.join(dir, 'input.log');
    const driver = new PhoneDriver({ serial: 'phone-1' });
    const commands: string[] = [];
    jest.spyOn(driver.adb, 'shell').mockImplementation(async (command: string) => {
      commands.push(command);
      const r = await runOnSh(command, { xml: CHAT, log });
      return { ok: true, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    });
    try {
      await fn(driver, commands, () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('after a look: two round trips (tap + text + dump, tap + look), every input as the steps say, one record per step', async () => {
    await withDevice(async (driver, commands, inputs) => {
      const r = await driver.runUiSteps(steps, { ...opts, screen: parseUiDump(CHAT), lookAfter: { notifications: false } });
      expect(r).toMatchObject({ ok: true });
      expect(commands).toHaveLength(2);
      expect(inputs()).toEqual(['[tap][225][890]', `[text][${HOSTILE.replace(/ /g, '%s')}]`, '[tap][490][890]']);
      expect(r.ok && r.steps.map((st) => [st.index, st.action])).toEqual([[0, 'tap'], [1, 'input-text'], [2, 'tap']]);
      expect(r.ok && r.look?.elements?.map((e) => e.resourceId)).toContain('ch.threema.app:id/send_button');
    });
  });

  test('no screen known: the first tap dumps the screen first (four round trips), the rest is batched as before', async () => {
    await withDevice(async (driver, commands, inputs) => {
      const r = await driver.runUiSteps(steps, opts);
      expect(r).toMatchObject({ ok: true });
      expect(commands.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['rm -f', 'input tap', 'input text', 'input tap']);
      expect(inputs()).toHaveLength(3);
      expect(r.ok && r.look).toBeUndefined(); // no lookAfter asked: the caller looks
    });
  });

  test('an element not on the given screen is looked for again (the tap dumps until it shows or fails precisely)', async () => {
    await withDevice(async (driver) => {
      const other = parseUiDump(XML); // no compose field on it
      const r = await driver.runUiSteps([{ action: 'tap', element: 'no-such-element', timeoutSec: 0.2 }], { ...opts, screen: other });
      expect(r).toMatchObject({ ok: false, failure: 'ui_element_not_found' });
    });
  });
});
