/**
 * A virtual phone in strict Android 5 mode: adbd without shell_v2, so `shell:` runs on a
 * (virtual) PTY. The driver must still get exit codes (marker), and adbkit's own screencap must
 * undo the PTY's \r\n — exactly what happens with the paper's Moto E.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import { PhoneDriver } from '../../drivers/phone';
import type { VirtualPhone } from '../../testbed/phone';
import { startLonePhone } from './mini-world';

const execFileAsync = promisify(execFile);
let phone: VirtualPhone;
let driver: PhoneDriver;
let stop: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  ({ phone, driver, stop } = await startLonePhone('mtph-leg-pa', { name: 'mtph-leg', adbPort: 5761, apps: [], shellV2: false }));
}, 60_000);

afterAll(() => stop());

test('the adb server sees no shell_v2 feature', async () => {
  expect(await driver.adb.transportFeatures()).not.toContain('shell_v2');
});

test('exit codes still arrive through the exit marker; PTY line ends are undone', async () => {
  expect(await driver.adb.shell('false')).toMatchObject({ ok: true, exitCode: 1 });
  const r = await driver.adb.shell('echo first; no-such-tool x');
  expect(r).toMatchObject({ ok: true, exitCode: 127 });
  expect(r.ok && r.stdout).toBe('first\n/system/bin/sh: no-such-tool: not found\n');
  expect(await driver.healthCheck()).toMatchObject({ ok: true, androidVersion: '5.0.2' });
});

test('the adb command line client gets PTY output (\\r\\n) like from Android 5', async () => {
  const { stdout } = await execFileAsync('adb', ['-s', phone.serial, 'shell', 'echo hi']);
  expect(stdout).toBe('hi\r\n');
});

test("adbkit's screencap() undoes the PTY translation and yields a PNG", async () => {
  const png = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    void driver.adb.deviceClient.screencap().then((s: NodeJS.ReadableStream) => {
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
    }, reject);
  });
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.readUInt32BE(16)).toBe(540);
});
