/**
 * The RSA AUTH handshake between the real adb server and the virtual adbd: a phone that has the
 * server's key in adb_keys comes online; a phone with only another key stays `unauthorized`,
 * and the driver says adb_unauthorized at once, with the fix; accepting the prompt (or
 * installing the key) brings it online; revoking the authorisations takes it back.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { PhoneDriver } from '../../drivers/phone';
import { startVirtualPhone, type VirtualPhone } from '../../testbed/phone';
import { encodeAdbPublicKey, parseAdbKeys } from '../../testbed/phone/adb-keys';
import { adbServerPublicKey } from '../../testbed/phone/adb-server-key';
import { createLoneNamespace, waitFor, type LoneNamespace } from './mini-world';

const execFileAsync = promisify(execFile);
const NETNS = 'mtph-auth-pa';
const PORTS = { trusted: 5771, stranger: 5772 };
let stateDir: string;
const phones: VirtualPhone[] = [];
const otherKey = encodeAdbPublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, 'someone@elsewhere');

async function adbState(serial: string): Promise<string | null> {
  const { stdout } = await execFileAsync('adb', ['devices'], { timeout: 15_000 });
  const line = stdout.split('\n').find((l) => l.startsWith(`${serial}\t`));
  return line ? line.split('\t')[1].trim() : null;
}

let ns: LoneNamespace | null = null;

beforeAll(async () => {
  ns = await createLoneNamespace(NETNS);
  stateDir = ns.stateDir;
}, 60_000);

/** Wall times, printed for the report (figures, not assertions). */
const figures: Record<string, number> = {};

afterAll(async () => {
  process.stdout.write(`adb auth figures: ${JSON.stringify(figures)}\n`);
  for (const p of phones) await p.stop().catch(() => undefined);
  await ns?.destroy();
});

async function start(name: keyof typeof PORTS, adbKeys?: string[]): Promise<VirtualPhone> {
  const phone = await startVirtualPhone({ name: `mtph-auth-${name}`, netns: NETNS, adbPort: PORTS[name], stateDir: path.join(stateDir, name), apps: [], ...(adbKeys ? { adbKeys } : {}) });
  phones.push(phone);
  return phone;
}

test('a phone whose adb_keys holds the server key (the default) comes online and runs commands', async () => {
  const phone = await start('trusted');
  expect(phone.device.props['ro.adb.secure']).toBe('1');
  expect(parseAdbKeys(fs.readFileSync(path.join(phone.device.fsRoot, 'data/misc/adb/adb_keys'), 'utf8')).length).toBe(1);
  const driver = new PhoneDriver({ serial: phone.serial, timeoutMs: 15_000 });
  const t0 = Date.now();
  expect(await driver.connect()).toMatchObject({ ok: true, state: 'device' });
  figures.authorisedConnectMs = Date.now() - t0;
  expect(await adbState(phone.serial)).toBe('device');
  expect(await driver.healthCheck()).toMatchObject({ ok: true, androidVersion: '5.0.2' });
}, 60_000);

test('a phone that knows another key only: `adb devices` says unauthorized, the driver adb_unauthorized at once', async () => {
  const phone = await start('stranger', [otherKey]);
  const driver = new PhoneDriver({ serial: phone.serial, timeoutMs: 15_000 });
  const t0 = Date.now();
  const r = await driver.connect();
  const elapsedMs = Date.now() - t0;
  expect(r).toMatchObject({ ok: false, failure: 'adb_unauthorized', operation: 'connect' });
  expect(!r.ok && r.detail).toContain(`accept the USB debugging prompt on ${phone.serial}`);
  expect(!r.ok && r.detail).toContain('~/.android/adbkey.pub');
  expect(elapsedMs).toBeLessThan(5_000); // not after polling until the 15 s timeout
  figures.unauthorizedVerdictMs = elapsedMs;
  expect(await adbState(phone.serial)).toBe('unauthorized');
  // A command on the unauthorised phone names the phone and the fix too.
  const sh = await driver.adb.shell('echo hi');
  expect(sh).toMatchObject({ ok: false, failure: 'adb_unauthorized' });
  expect(!sh.ok && sh.detail).toContain(phone.serial);

  // Someone taps "Allow": the prompt's key joins adb_keys and the phone comes online.
  expect(phone.faults.acceptUsbDebuggingPrompt()).toBe(1);
  await waitFor('device state', async () => ((await adbState(phone.serial)) === 'device' ? true : null), 10_000);
  expect(await driver.connect()).toMatchObject({ ok: true });
  const keys = parseAdbKeys(fs.readFileSync(path.join(phone.device.fsRoot, 'data/misc/adb/adb_keys'), 'utf8'));
  expect(keys.map((k) => k.n)).toContainEqual(parseAdbKeys(await adbServerPublicKey())[0].n);

  // Revoked: the phone is unauthorized again after the re-plug; installing the key fixes it.
  await phone.faults.revokeAdbAuthorizations();
  expect(await driver.connect()).toMatchObject({ ok: false, failure: 'adb_unauthorized' });
  await phone.faults.authorizeAdbKey(await adbServerPublicKey());
  expect(await driver.connect()).toMatchObject({ ok: true, state: 'device' });
}, 90_000);
