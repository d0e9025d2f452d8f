/**
 * What a testbed host has next to its phones (./hosts.ts): its own adb server on its namespace's
 * loopback (HOME in its data folder, with the adb key the world's phones trust: a lab moves a
 * controller by copying ~/.android/adbkey, or accepts the new key on every phone), and a "USB
 * cable" to each of its phones. The virtual phone's adbd listens on the root namespace's
 * loopback (the world's plan); a socat pair joined by a unix socket in the host's folder makes
 * it appear on the testbed host's own loopback at the same port. The root namespace's adb server
 * (where `matador testbed up` connected the phones) lets go of them: a USB cable has one host.
 */
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sh } from './network';

/** Paths that go into socat addresses and mount steps: no separators socat or a shell would read. */
const SAFE_PATH = /^\/[\w./-]+$/;

export function assertSafe(p: string): string {
  if (!SAFE_PATH.test(p)) throw new Error(`hosts: path ${JSON.stringify(p)} has characters socat or mount steps cannot take`);
  return p;
}

/** Whether the root namespace's adb server (the controller's, 127.0.0.1:5037) runs. */
export async function rootAdbServerListening(): Promise<boolean> {
  return (await sh(['ss', '-Hltn', 'sport = :5037'], { allowFail: true })).stdout.trim() !== '';
}

/** `start` runs a process the caller owns (killed by PID at tear-down). */
export async function equipTestbedHost(o: {
  dir: string;
  netns: string;
  phones: Array<{ id: string; adbPort: number; adbSerial: string }>;
  start: (argv: string[], env?: NodeJS.ProcessEnv) => ChildProcess;
}): Promise<void> {
  const home = path.join(o.dir, 'home');
  const android = path.join(home, '.android');
  fs.mkdirSync(android, { recursive: true, mode: 0o700 });
  for (const f of ['adbkey', 'adbkey.pub']) fs.copyFileSync(path.join(os.homedir(), '.android', f), path.join(android, f));
  fs.chmodSync(path.join(android, 'adbkey'), 0o600);
  const cables = path.join(o.dir, 'usb');
  fs.mkdirSync(cables, { recursive: true });
  // Only a running adb server is asked (`adb disconnect` would start one otherwise).
  const rootAdb = await rootAdbServerListening();
  for (const phone of o.phones) {
    if (rootAdb) await sh(['adb', 'disconnect', phone.adbSerial], { allowFail: true });
    const sock = assertSafe(path.join(cables, `${phone.id}.sock`));
    const port = String(phone.adbPort);
    const phoneEnd = o.start(['socat', `UNIX-LISTEN:${sock},fork,unlink-early`, `TCP:127.0.0.1:${port}`]);
    await waitForFile(sock, phoneEnd, `USB cable of ${phone.id} (phone end)`);
    const hostEnd = o.start(['ip', 'netns', 'exec', o.netns, 'socat', `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, `UNIX-CONNECT:${sock}`]);
    await waitForListen(o.netns, port, hostEnd, `USB cable of ${phone.id} (host end)`);
  }
  const adb = o.start(['ip', 'netns', 'exec', o.netns, 'adb', '-L', 'tcp:5037', 'nodaemon', 'server'], { ...process.env, HOME: home });
  adb.stdout?.resume();
  adb.stderr?.resume();
  await waitForListen(o.netns, '5037', adb, `adb server of ${o.netns}`);
}

async function waitForFile(file: string, child: ChildProcess, label: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (fs.existsSync(file)) return;
    if (child.exitCode !== null) throw new Error(`${label} exited (${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${label}: ${file} did not appear`);
}

async function waitForListen(ns: string, port: string, child: ChildProcess, label: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await sh(['ip', 'netns', 'exec', ns, 'ss', '-Hltn', `sport = :${port}`], { allowFail: true });
    if (r.stdout.trim()) return;
    if (child.exitCode !== null) throw new Error(`${label} exited (${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${label}: nothing listens on ${port} in ${ns}`);
}

