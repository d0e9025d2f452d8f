/**
 * captureStart makes the capture folder in the same SSH exec as it starts tcpdump: a folder that
 * does not exist yet is created (0700) and the capture works; a folder that cannot be created is
 * `capture_failed` naming it, and nothing is left running. captureDiscard removes a capture whole. Real sshd, tcpdump and ping in the
 * mtsh-* namespaces of testbed/driver-topology.ts (uses the machine's namespaces: run it under the
 * world lock like test/drivers).
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { ADDR, inNs, NS, useTopology } from '../../test/support/world';
import { captureDiscard, captureFetch, captureStart, captureStop } from './capture';
import type { RouterConfig } from './config';

const SCRATCH = '/run/mtsh-capture-folder-test';
const topo = useTopology();

function router(captureDir: string): RouterConfig {
  return { ssh: topo().router, lanInterface: 'r-lan', captureDir };
}

beforeAll(async () => {
  await fs.rm(SCRATCH, { recursive: true, force: true });
});

afterAll(async () => {
  await fs.rm(SCRATCH, { recursive: true, force: true });
});

test('a capture folder that does not exist yet is created by the start, and the capture holds the traffic', async () => {
  const dir = path.join(SCRATCH, 'new', 'captures');
  const started = await captureStart(router(dir), { id: 'mtsh-cap-folder', filter: 'icmp' });
  if (!started.ok) throw new Error(`${started.failure}: ${started.detail}`);
  expect(((await fs.stat(dir)).mode & 0o777).toString(8)).toBe('700');
  expect(started.handle.remoteFile).toBe(path.join(dir, 'mtsh-cap-folder.pcap'));
  expect((await inNs(NS.phone, ['ping', '-n', '-c', '2', '-W', '1', ADDR.routerLan])).code).toBe(0);
  const stopped = await captureStop(router(dir), started.handle);
  expect(stopped).toMatchObject({ ok: true });
  const local = path.join(SCRATCH, 'local', 'capture.pcap');
  const fetched = await captureFetch(router(dir), started.handle, local, { removeRemote: true });
  if (!fetched.ok) throw new Error(`${fetched.failure}: ${fetched.detail}`);
  expect(fetched.packets).toBeGreaterThanOrEqual(4); // 2 echo requests + 2 replies on the LAN side
  await expect(fs.stat(started.handle.remoteFile)).rejects.toThrow();
});

test('a capture folder that cannot be created fails the start precisely, with no tcpdump left', async () => {
  const blocker = path.join(SCRATCH, 'a-file');
  await fs.mkdir(SCRATCH, { recursive: true });
  await fs.writeFile(blocker, 'not a folder\n');
  const dir = path.join(blocker, 'captures');
  const r = await captureStart(router(dir), { id: 'mtsh-cap-nofolder' });
  expect(r).toMatchObject({ ok: false, failure: 'capture_failed' });
  expect(!r.ok && r.detail).toContain(`cannot create the capture folder ${dir}`);
  const running = await inNs(NS.router, ['pgrep', '-f', 'mtsh-cap-nofolder']);
  expect(running.stdout.trim()).toBe('');
});

test('a discarded capture leaves neither its tcpdump nor its files; discarding it again is fine', async () => {
  const dir = path.join(SCRATCH, 'discard');
  const started = await captureStart(router(dir), { id: 'mtsh-cap-discard' });
  if (!started.ok) throw new Error(`${started.failure}: ${started.detail}`);
  expect((await fs.readdir(dir)).sort()).toEqual(['mtsh-cap-discard.log', 'mtsh-cap-discard.pcap', 'mtsh-cap-discard.pid']);
  expect(await captureDiscard(router(dir), started.handle)).toEqual({ ok: true });
  expect((await inNs(NS.router, ['pgrep', '-f', 'mtsh-cap-discard'])).stdout.trim()).toBe('');
  expect(await fs.readdir(dir)).toEqual([]);
  expect(await captureDiscard(router(dir), started.handle)).toEqual({ ok: true });
});
