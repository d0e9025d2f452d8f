/**
 * Low-level device access through @devicefarmer/adbkit and the real adb server: shell with exit
 * codes, pull/push over sync, connect/disconnect — each bounded by a timeout, errors mapped to
 * the closed failure list.
 *
 * Exit codes: with the device feature `shell_v2` (Android >= 7 adbd, and the virtual phone) the
 * command runs on the `shell,v2,raw:` service, whose packets carry stdout, stderr and the exit
 * status. Without it (a real Android 5 device) the command runs on legacy `shell:` with
 * `; echo <marker>$?` appended, and the PTY's \r\n is undone.
 */
import { Adb } from '@devicefarmer/adbkit';
import type Client from '@devicefarmer/adbkit/dist/src/adb/client';
import type DeviceClient from '@devicefarmer/adbkit/dist/src/adb/DeviceClient';
import type Connection from '@devicefarmer/adbkit/dist/src/adb/connection';
import type { Duplex, Readable } from 'stream';
import { adbErrorFail, type PhoneFailure, PhoneResult, phoneFail, unauthorizedDetail } from './failures';

export interface ShellOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const EXIT_MARKER = '__MATADOR_EXIT__:';

export class TimeoutError extends Error {}

/** Over the sync service a device command's error is a sync error. */
const toSyncError = (f: PhoneFailure): PhoneFailure => (f === 'shell_error' ? 'sync_error' : f);

export function withTimeout<T>(p: PromiseLike<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new TimeoutError(`${what}: timed out after ${ms} ms`));
    }, ms);
    Promise.resolve(p).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Decode a shell-v2 byte stream: id(1) len(u32le) data. */
export function decodeShellV2(data: Buffer): ShellOutput & { complete: boolean } {
  let off = 0;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let exitCode = -1;
  while (off + 5 <= data.length) {
    const id = data.readUInt8(off);
    const len = data.readUInt32LE(off + 1);
    if (off + 5 + len > data.length) break;
    const payload = data.subarray(off + 5, off + 5 + len);
    if (id === 1) out.push(payload);
    else if (id === 2) err.push(payload);
    else if (id === 3 && len >= 1) exitCode = payload.readUInt8(0);
    off += 5 + len;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode, complete: exitCode >= 0 };
}

export interface AdbDeviceOptions {
  serial: string; // "127.0.0.1:5561" for TCP devices
  adbHost?: string; // adb server, default 127.0.0.1
  adbPort?: number; // default 5037
  timeoutMs?: number; // default per call
}

export class AdbDevice {
  readonly serial: string;
  private readonly client: Client;
  private readonly device: DeviceClient;
  readonly defaultTimeoutMs: number;
  private shellV2: boolean | null = null;

  constructor(opts: AdbDeviceOptions) {
    this.serial = opts.serial;
    this.client = Adb.createClient({ host: opts.adbHost ?? '127.0.0.1', port: opts.adbPort ?? 5037 });
    this.device = this.client.getDevice(opts.serial);
    this.defaultTimeoutMs = opts.timeoutMs ?? 20_000;
  }

  /** The adbkit device client, for calls this class does not wrap. */
  get deviceClient(): DeviceClient {
    return this.device;
  }

  private hostPort(): { host: string; port: number } | null {
    const m = /^(.+):(\d+)$/.exec(this.serial);
    return m ? { host: m[1], port: Number(m[2]) } : null;
  }

  /**
   * `adb connect` (TCP devices) and wait until the device state is "device". A device the
   * server lists as `unauthorized` fails at once as adb_unauthorized: waiting cannot help until
   * someone accepts the phone's USB debugging prompt. (adb >= 1.0.41 answers `adb connect` to
   * such a phone with "failed to authenticate to <serial>"; the listing decides, so an older
   * server's "connected to" ends the same way.)
   */
  async connect(timeoutMs = this.defaultTimeoutMs): Promise<PhoneResult<{ state: string }>> {
    const hp = this.hostPort();
    try {
      let connectError: unknown = null;
      if (hp) {
        await withTimeout(this.client.connect(hp.host, hp.port), timeoutMs, `adb connect ${this.serial}`).catch((err: unknown) => {
          if (!/failed to authenticate/i.test(err instanceof Error ? err.message : String(err))) throw err;
          connectError = err;
        });
      }
      const deadline = Date.now() + timeoutMs;
      let state = 'unknown';
      while (Date.now() < deadline) {
        const devices = await withTimeout<Array<{ id: string; type: string }>>(this.client.listDevices(), timeoutMs, 'adb devices');
        state = devices.find((d) => d.id === this.serial)?.type ?? 'absent';
        if (state === 'device') {
          this.shellV2 = null;
          return { ok: true, state };
        }
        if (state === 'unauthorized' || (connectError !== null && state === 'absent')) return phoneFail('adb_unauthorized', 'connect', unauthorizedDetail(this.serial));
        await new Promise((r) => setTimeout(r, 250));
      }
      return phoneFail('adb_unreachable', 'connect', `${this.serial} is '${state}' after adb connect`);
    } catch (err) {
      return adbErrorFail(err, 'connect', this.serial);
    }
  }

  async disconnect(timeoutMs = this.defaultTimeoutMs): Promise<PhoneResult> {
    const hp = this.hostPort();
    if (!hp) return { ok: true };
    try {
      await withTimeout(this.client.disconnect(hp.host, hp.port), timeoutMs, `adb disconnect ${this.serial}`);
      return { ok: true };
    } catch (err) {
      const msg = (err as Error).message;
      if (/no such device/i.test(msg)) return { ok: true };
      return adbErrorFail(err, 'disconnect', this.serial);
    }
  }

  /**
   * The device's adb transport features (from its CNXN banner), via the server's
   * `host-serial:<serial>:features` service. (adbkit's getFeatures() is `pm list features`,
   * the Android system features, which do not tell whether adbd speaks shell_v2.)
   */
  async transportFeatures(timeoutMs = this.defaultTimeoutMs): Promise<string[]> {
    const conn = await withTimeout<Connection>(this.client.connection(), timeoutMs, 'adb server connection');
    try {
      const request = `host-serial:${this.serial}:features`;
      conn.write(Buffer.from(`${request.length.toString(16).padStart(4, '0')}${request}`));
      const reply = await withTimeout<string>(conn.parser.readAscii(4), timeoutMs, `features of ${this.serial}`);
      if (reply !== 'OKAY') {
        const message = await withTimeout<Buffer>(conn.parser.readValue(), timeoutMs, `features of ${this.serial}`).catch(() => Buffer.from(reply));
        throw new Error(`features of ${this.serial}: ${message.toString()}`);
      }
      const value = await withTimeout<Buffer>(conn.parser.readValue(), timeoutMs, `features of ${this.serial}`);
      return value.toString().split(',').filter(Boolean);
    } finally {
      conn.end();
    }
  }

  private async supportsShellV2(timeoutMs: number): Promise<boolean> {
    if (this.shellV2 === null) this.shellV2 = (await this.transportFeatures(timeoutMs)).includes('shell_v2');
    return this.shellV2;
  }

  /** Run one command line on the device (the caller quotes every variable part). */
  async shell(command: string, opts: { timeoutMs?: number; operation?: string } = {}): Promise<PhoneResult<ShellOutput>> {
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const operation = opts.operation ?? `shell ${command.slice(0, 60)}`;
    let stream: Duplex | null = null;
    try {
      const v2 = await this.supportsShellV2(timeoutMs);
      const run = async (): Promise<ShellOutput> => {
        if (v2) {
          const s = await this.device.openLocal(`shell,v2,raw:${command}`);
          stream = s;
          const decoded = decodeShellV2(await readAll(s));
          if (!decoded.complete) throw new Error(`shell stream of ${this.serial} closed before the exit status (Premature end)`);
          return decoded;
        }
        const s = await this.device.shell(`${command}; echo ${EXIT_MARKER}$?`);
        stream = s;
        const text = (await readAll(s)).toString('utf8').replace(/\r\n/g, '\n');
        const at = text.lastIndexOf(EXIT_MARKER);
        if (at < 0) throw new Error(`shell output of ${this.serial} lacks the exit marker (Premature end)`);
        return { stdout: text.slice(0, at), stderr: '', exitCode: Number.parseInt(text.slice(at + EXIT_MARKER.length), 10) };
      };
      const out = await withTimeout(run(), timeoutMs, operation, () => (stream as Duplex | null)?.destroy());
      return { ok: true, ...out };
    } catch (err) {
      return adbErrorFail(err, operation, this.serial);
    }
  }

  /**
   * Pull a file over the sync service. STAT first: adbkit ends the transfer stream before it
   * reports a FAIL, so a missing file would look like an empty one; the size also catches a
   * truncated transfer. STAT and RECV share one sync connection (the protocol allows a series
   * of requests per connection): the message log is pulled several times per message.
   */
  async pull(remotePath: string, timeoutMs = this.defaultTimeoutMs): Promise<PhoneResult<{ data: Buffer }>> {
    let transfer: (Readable & { cancel?: () => boolean }) | null = null;
    let sync: { end(): unknown } | null = null;
    try {
      const data = await withTimeout(
        (async () => {
          const s = await this.device.syncService();
          sync = s;
          try {
            const st = await s.stat(remotePath);
            if (!st.isFile()) throw new Error(`${remotePath}: no such file (sync STAT mode ${st.mode.toString(8)})`);
            const t = s.pull(remotePath);
            transfer = t;
            const all = await readAll(t);
            // Fewer bytes than STAT said: the transfer was cut short. More is fine: a file being
            // appended to (an app's message log) may grow between STAT and RECV.
            if (all.length < Number(st.size)) throw new Error(`${remotePath}: pulled ${all.length} bytes, STAT said ${st.size}`);
            return all;
          } finally {
            s.end();
          }
        })(),
        timeoutMs,
        `pull ${remotePath}`,
        () => {
          (transfer as { cancel?: () => boolean } | null)?.cancel?.();
          (sync as { end(): unknown } | null)?.end();
        },
      );
      return { ok: true, data };
    } catch (err) {
      return adbErrorFail(err, `pull ${remotePath}`, this.serial, toSyncError);
    }
  }

  /** Push data to a file over the sync service. */
  async push(data: Buffer, remotePath: string, timeoutMs = this.defaultTimeoutMs): Promise<PhoneResult> {
    try {
      await withTimeout(
        (async () => {
          const { PassThrough } = await import('stream');
          const src = new PassThrough();
          src.end(data);
          const t = await this.device.push(src, remotePath, 0o644);
          await new Promise<void>((resolve, reject) => {
            t.on('end', () => resolve());
            t.on('error', reject);
          });
        })(),
        timeoutMs,
        `push ${remotePath}`,
      );
      return { ok: true };
    } catch (err) {
      return adbErrorFail(err, `push ${remotePath}`, this.serial, toSyncError);
    }
  }
}
