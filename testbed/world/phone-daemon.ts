/**
 * Keeps the world's virtual phones alive after `matador testbed up` returns: the phones
 * (testbed/phone) run inside the process that starts them, so the world starts this daemon
 * (detached, host namespace: adbd listens on the host loopback like a USB cable) with
 * `phone-daemon <world-dir>/phones.json`. It prints `ready` once every phone is up, then serves
 * fault control as JSON lines on the unix socket `<world-dir>/phones.sock`:
 *   {"phone":"tb1-pa","op":"adb-disconnect"} | "adb-reconnect" | {"op":"adb-delay","ms":500}
 *   | {"op":"clock-offset","ms":5000}
 *   | {"op":"app-installed","app":"whatsapp","installed":false}
 *   | {"op":"package-installed","package":"io.appium.settings","installed":false}
 *   | {"op":"adb-keys-revoke"} (adb_keys emptied: unauthorized) | {"op":"adb-keys-restore"} (the adb server's key back)
 *   | {"op":"ui-dump-flaky","count":2} | {"op":"screen-locked","locked":true,"secure":true}
 *   | {"op":"app-version","app":"whatsapp","version":"2.11.0"} (version null: the catalogue's)
 * and answers {"ok":true} or {"ok":false,"error":"..."}. SIGTERM stops every phone.
 */
import * as fs from 'fs';
import * as net from 'net';
import { startVirtualPhone, VirtualPhone, StartVirtualPhoneOptions } from '../phone';
import { adbServerPublicKey } from '../phone/adb-server-key';
import { SERVICE_APPS, type ServiceApp } from '../services/catalogue';

export interface PhoneDaemonConfig {
  socket: string;
  phones: StartVirtualPhoneOptions[];
}

export interface PhoneControlRequest {
  phone: string;
  op: 'adb-disconnect' | 'adb-reconnect' | 'adb-delay' | 'app-installed' | 'adb-keys-revoke' | 'adb-keys-restore' | 'package-installed' | 'clock-offset' | 'ui-dump-flaky' | 'screen-locked' | 'app-version';
  ms?: number;
  package?: string;
  app?: string;
  installed?: boolean;
  count?: number;
  locked?: boolean;
  secure?: boolean;
  version?: string | null;
}

function appOf(req: PhoneControlRequest): ServiceApp {
  if (!SERVICE_APPS.includes(req.app as ServiceApp)) throw new Error(`unknown app ${JSON.stringify(req.app)} (known: ${SERVICE_APPS.join(', ')})`);
  return req.app as ServiceApp;
}

async function handle(phones: Map<string, VirtualPhone>, req: PhoneControlRequest): Promise<void> {
  const phone = phones.get(req.phone);
  if (!phone) throw new Error(`no phone ${req.phone} (have ${[...phones.keys()].join(', ')})`);
  if (req.op === 'adb-disconnect') await phone.faults.adbDisconnect();
  else if (req.op === 'adb-reconnect') await phone.faults.adbReconnect();
  else if (req.op === 'adb-delay') phone.faults.setAdbDelay(Number(req.ms ?? 0));
  else if (req.op === 'package-installed') {
    if (typeof req.package !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/.test(req.package)) throw new Error(`bad package name ${JSON.stringify(req.package)}`);
    phone.faults.setPackageInstalled(req.package, req.installed === true);
  } else if (req.op === 'adb-keys-revoke') await phone.faults.revokeAdbAuthorizations();
  else if (req.op === 'adb-keys-restore') await phone.faults.authorizeAdbKey(await adbServerPublicKey());
  else if (req.op === 'clock-offset') phone.faults.setClockOffset(Number(req.ms ?? 0));
  else if (req.op === 'app-installed') phone.faults.setAppInstalled(appOf(req), req.installed === true);
  else if (req.op === 'ui-dump-flaky') phone.faults.setUiDumpFlaky(Number(req.count ?? 0));
  else if (req.op === 'screen-locked') phone.faults.setScreenLocked(req.locked === true, req.secure !== false);
  else if (req.op === 'app-version') phone.faults.setAppVersion(appOf(req), typeof req.version === 'string' ? req.version : null);
  else throw new Error(`unknown op ${String((req as { op: unknown }).op)}`);
}

async function main(configFile: string): Promise<void> {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as PhoneDaemonConfig;
  const phones = new Map<string, VirtualPhone>();
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled([...phones.values()].map((p) => p.stop()));
    fs.rmSync(config.socket, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stopAll());
  process.on('SIGINT', () => void stopAll());
  for (const opts of config.phones) phones.set(opts.name, await startVirtualPhone(opts));
  fs.rmSync(config.socket, { force: true });
  const server = net.createServer((conn) => {
    let buf = '';
    conn.on('error', () => undefined);
    conn.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let req: PhoneControlRequest;
        try {
          req = JSON.parse(line) as PhoneControlRequest;
        } catch {
          conn.write(JSON.stringify({ ok: false, error: 'request is not JSON' }) + '\n');
          continue;
        }
        handle(phones, req).then(
          () => conn.write(JSON.stringify({ ok: true }) + '\n'),
          (err: unknown) => conn.write(JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) }) + '\n'),
        );
      }
    });
  });
  server.listen(config.socket, () => process.stdout.write(`ready ${[...phones.values()].map((p) => `${p.name}=${p.serial}`).join(' ')}\n`));
}

/** Sends one control request to a running phone daemon. */
export function phoneControl(socket: string, req: PhoneControlRequest, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const conn = net.createConnection(socket);
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`phone daemon at ${socket} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    let buf = '';
    conn.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`phone daemon at ${socket}: ${err.message}`));
    });
    conn.on('data', (d: Buffer) => {
      buf += d.toString();
      if (!buf.includes('\n')) return;
      clearTimeout(timer);
      conn.end();
      const res = JSON.parse(buf.slice(0, buf.indexOf('\n'))) as { ok: boolean; error?: string };
      if (res.ok) resolve();
      else reject(new Error(`phone ${req.phone} ${req.op}: ${res.error ?? 'failed'}`));
    });
    conn.write(JSON.stringify(req) + '\n');
  });
}

if (require.main === module) {
  main(process.argv[2]).catch((err: unknown) => {
    process.stderr.write(`phone-daemon: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
