/**
 * A virtual phone in strict Android 5 mode: adbd without shell_v2, so `shell:` runs on a
 * (virtual) PTY. The driver must still get exit codes (marker), and adbkit's own screencap must
 * undo the PTY's \r\n — exactly what happens with the paper's Moto E.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PhoneDriver } from '../../drivers/phone';
import { startVirtualPhone, VirtualPhone } from '../../testbed/phone';
import { ip } from './mini-world';

const execFileAsync = promisify(execFile);
const NETNS = 'mtph-leg-pa';
const PORT = 5761;
let phone: VirtualPhone;
let driver: PhoneDriver;
let stateDir: string;

beforeAll(async () => {
  await execFileAsync('adb', ['start-server'], { timeout: 30_000 });
  await ip('netns', 'del', NETNS).catch(() => undefined);
  await ip('netns', 'add', NETNS);
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtph-leg-'));
  phone = await startVirtualPhone({ name: 'mtph-leg', netns: NETNS, adbPort: PORT, stateDir, apps: [], shellV2: false });
  driver = new PhoneDriver({ serial: phone.serial });
  const c = await driver.connect();
  if (!c.ok) throw new Error(`connect: ${c.detail}`);
}, 60_000);

afterAll(async () => {
  await driver?.disconnect();
  await phone?.stop();
  await ip('netns', 'del', NETNS).catch(() => undefined);
  if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
});

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
