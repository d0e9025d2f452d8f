import type { ShellOutput } from './adb-device';
import type { PhoneResult } from './failures';
import { dumpWithRetry, transientDumpError, UI_DUMP_COMMAND } from './ui-dump';

const XML = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\"><node index=\"0\" text=\"Send\" resource-id=\"x:id/send\" class=\"android.widget.Button\" package=\"x\" content-desc=\"\" clickable=\"true\" focused=\"false\" bounds=\"[0,0][10,10]\"></node></hierarchy>";
const NULL_ROOT = 'ERROR: null root node returned by UiTestAutomationBridge.\n';
const NOT_IDLE = 'ERROR: could not get idle state.\n';
// Android 5 after a failed dump: DumpCommand exits 0, `cat` of the missing file fails.
const failed = (err: string): PhoneResult<ShellOutput> => ({ ok: true, stdout: '', stderr: `${err}/sdcard/window_dump.xml: No such file or directory\n`, exitCode: 1 });
const worked: PhoneResult<ShellOutput> = { ok: true, stdout: `UI hierchary dumped to: /sdcard/window_dump.xml\n${XML}`, stderr: '', exitCode: 0 };

function scripted(answers: Array<PhoneResult<ShellOutput>>): { shell: (c: string) => Promise<PhoneResult<ShellOutput>>; commands: string[] } {
  const commands: string[] = [];
  return { commands, shell: async (c) => (commands.push(c), answers.shift() ?? answers[answers.length - 1] ?? failed(NULL_ROOT)) };
}

test('recognises the transient errors of DumpCommand and nothing else', () => {
  expect(transientDumpError(NULL_ROOT)).toBe('ERROR: null root node returned by UiTestAutomationBridge.');
  expect(transientDumpError(`x\n${NOT_IDLE}`)).toBe('ERROR: could not get idle state.');
  expect(transientDumpError('ERROR: could not write /sdcard/window_dump.xml')).toBeNull();
});

test('a dump that fails while the screen settles is retried, and the working dump is returned', async () => {
  const s = scripted([failed(NULL_ROOT), failed(NOT_IDLE), worked]);
  const r = await dumpWithRetry(s.shell, 'ZX1D22ABCD', { tries: 4, delayMs: 1 });
  expect(r).toMatchObject({ ok: true, retried: ['ERROR: null root node returned by UiTestAutomationBridge.', 'ERROR: could not get idle state.'] });
  expect(r.ok && r.elements.map((e) => e.resourceId)).toEqual(['x:id/send']);
  expect(r.ok && r.xml.startsWith('<?xml')).toBe(true);
  expect(s.commands).toEqual([UI_DUMP_COMMAND, UI_DUMP_COMMAND, UI_DUMP_COMMAND]);
});

test('the bound ends with one precise failure naming the phone and what to do', async () => {
  const s = scripted([failed(NULL_ROOT)]);
  const r = await dumpWithRetry(s.shell, 'ZX1D22ABCD', { tries: 3, delayMs: 1 });
  expect(s.commands).toHaveLength(3);
  expect(r).toMatchObject({ ok: false, failure: 'shell_error', operation: 'uiautomator dump' });
  expect(!r.ok && r.detail).toMatch(/^uiautomator dump on ZX1D22ABCD failed 3 times in \d+\.\d s \("ERROR: null root node returned by UiTestAutomationBridge\."\): the screen did not settle; look at ZX1D22ABCD .*rerun the failed measurement$/);
});

test('other failures are not retried', async () => {
  const s = scripted([{ ok: true, stdout: '', stderr: 'ERROR: could not write /sdcard/window_dump.xml\n', exitCode: 1 }, worked]);
  const r = await dumpWithRetry(s.shell, 'ZX1D22ABCD', { tries: 5, delayMs: 1 });
  expect(r).toMatchObject({ ok: false, failure: 'shell_error' });
  expect(!r.ok && r.detail).toContain('ZX1D22ABCD');
  expect(s.commands).toHaveLength(1);
  const down = scripted([{ ok: false, failure: 'adb_unreachable', operation: 'uiautomator dump', detail: 'device offline' }]);
  expect(await dumpWithRetry(down.shell, 'ZX1D22ABCD', { tries: 5, delayMs: 1 })).toMatchObject({ ok: false, failure: 'adb_unreachable' });
  expect(down.commands).toHaveLength(1);
});
