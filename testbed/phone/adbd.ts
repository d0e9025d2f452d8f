/**
 * The adbd side of the ADB transport over TCP, for the real adb server (`adb connect`).
 * Handshake as on a production build (`ro.adb.secure=1`, AOSP adb.c handle_packet + adb_auth_client.c):
 * the server sends CNXN; we answer AUTH TOKEN (20 random bytes); the server answers AUTH
 * SIGNATURE (the token signed with one of its keys), which we check against every key of the
 * phone's /data/misc/adb/adb_keys (adb-keys.ts). A good signature -> our CNXN with the banner
 * (the device is online); a bad one -> a new token, so the server tries its next key; when it has
 * none left it sends AUTH RSAPUBLICKEY, and Android shows "Allow USB debugging?". Nobody taps the
 * virtual phone's prompt unless a test or the world accepts it (acceptUsbDebugging, or
 * Adbd.acceptPrompt()): until then the server lists the device as `unauthorized`.
 * Not reproduced: Android's one-second pause after more than ten bad signatures, and the
 * prompt's UI itself (it is not in the uiautomator dump). With `ro.adb.secure=0` in the props
 * the device answers CNXN at once, like an eng/userdebug build.
 * Streams: OPEN -> OKAY, WRTE <-> OKAY flow control, CLSE.
 * Services: `shell:` (legacy, output merged), `shell,v2[,raw|,pty]:` (stdout/stderr/exit
 * packets), `exec:`, `sync:`; everything else is refused with CLSE.
 * Faults: `disconnected` drops all transports and closes the listening socket; `delayMs`
 * delays every message we send (a slow USB link / busy device).
 */
import * as net from 'net';
import { randomBytes } from 'crypto';
import { ADB_AUTH_RSAPUBLICKEY, ADB_AUTH_SIGNATURE, ADB_AUTH_TOKEN, TOKEN_SIZE, verifyTokenSignature } from './adb-keys';
import {
  A_AUTH, A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_VERSION, A_WRTE, AdbMessage, MAX_PAYLOAD, MessageDecoder, encodeMessage,
  SHELL_EXIT, SHELL_STDERR, SHELL_STDOUT, encodeShellPacket,
} from './adb-wire';
import type { VirtualDevice } from './device';
import type { ShellResult } from './builtin';
import { runShell } from './shell';
import { SyncSession } from './sync';

export interface AdbdOptions {
  host: string;
  port: number;
  /** Advertise shell_v2 (Android >= 7). Without it `shell:` output gets PTY \r\n like Android 5. */
  shellV2: boolean;
}

interface Stream {
  localId: number;
  remoteId: number;
  queue: Buffer[];
  awaitingOkay: boolean;
  closeAfterDrain: boolean;
  closed: boolean;
  onData?: (data: Buffer) => void;
}

class Transport {
  private streams = new Map<number, Stream>();
  private nextId = 1;
  private maxData = MAX_PAYLOAD;
  private online = false;
  /** The token of the AUTH handshake in progress (null: none asked). */
  private token: Buffer | null = null;
  /** The server's public key while its "Allow USB debugging?" prompt is showing. */
  private promptKey: string | null = null;
  private sendChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly sock: net.Socket,
    private readonly dev: VirtualDevice,
    private readonly opts: AdbdOptions,
  ) {
    const decoder = new MessageDecoder();
    sock.on('data', (chunk) => {
      let msgs: AdbMessage[];
      try {
        msgs = decoder.push(chunk);
      } catch {
        sock.destroy();
        return;
      }
      for (const m of msgs) this.onMessage(m);
    });
    sock.on('error', () => undefined);
    sock.setNoDelay(true);
  }

  private banner(): string {
    const p = this.dev.props;
    const features = this.opts.shellV2 ? 'shell_v2,cmd' : '';
    return `device::ro.product.name=${p['ro.product.name']};ro.product.model=${p['ro.product.model']};ro.product.device=${p['ro.product.device']};features=${features}`;
  }

  private write(command: number, arg0: number, arg1: number, data: Buffer = Buffer.alloc(0)): void {
    const encoded = encodeMessage({ command, arg0, arg1, data });
    const delay = this.dev.faults.adbDelayMs;
    this.sendChain = this.sendChain.then(async () => {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay).unref());
      if (!this.sock.destroyed) this.sock.write(encoded);
    });
  }

  private goOnline(): void {
    this.token = null;
    this.promptKey = null;
    this.online = true;
    this.write(A_CNXN, A_VERSION, MAX_PAYLOAD, Buffer.from(this.banner()));
  }

  private askToken(): void {
    this.token = randomBytes(TOKEN_SIZE);
    this.write(A_AUTH, ADB_AUTH_TOKEN, 0, this.token);
  }

  /** The prompt was accepted ("Always allow from this computer"): the key joins adb_keys. */
  acceptPrompt(): boolean {
    if (this.promptKey === null || this.online) return false;
    this.dev.authorizeAdbKey(this.promptKey);
    this.goOnline();
    return true;
  }

  private onAuth(m: AdbMessage): void {
    if (this.online || this.token === null) return;
    if (m.arg0 === ADB_AUTH_SIGNATURE) {
      const token = this.token;
      if (this.dev.adbKeys().some((k) => verifyTokenSignature(k, token, m.data))) this.goOnline();
      else this.askToken();
    } else if (m.arg0 === ADB_AUTH_RSAPUBLICKEY) {
      // adb_auth_confirm_key: the key must be a NUL-terminated string.
      if (m.data.length === 0 || m.data[m.data.length - 1] !== 0) return;
      this.promptKey = m.data.subarray(0, -1).toString('utf8');
      if (this.dev.faults.acceptUsbDebugging) this.acceptPrompt();
    }
  }

  private onMessage(m: AdbMessage): void {
    if (m.command === A_CNXN) {
      // A CNXN (also on a transport already online) starts the handshake again, as in adbd.
      this.maxData = Math.min(MAX_PAYLOAD, m.arg1 || MAX_PAYLOAD);
      this.online = false;
      this.promptKey = null;
      if (this.dev.props['ro.adb.secure'] === '1') this.askToken();
      else this.goOnline();
      return;
    }
    if (m.command === A_AUTH) {
      this.onAuth(m);
      return;
    }
    if (!this.online) return;
    if (m.command === A_OPEN) {
      const service = m.data.toString('utf8').replace(/\0$/, '');
      this.open(m.arg0, service);
    } else if (m.command === A_OKAY) {
      const s = this.streams.get(m.arg1);
      if (!s) return;
      s.awaitingOkay = false;
      this.pump(s);
    } else if (m.command === A_WRTE) {
      const s = this.streams.get(m.arg1);
      if (!s) return;
      this.write(A_OKAY, s.localId, s.remoteId);
      s.onData?.(m.data);
    } else if (m.command === A_CLSE) {
      const s = this.streams.get(m.arg1);
      if (!s) return;
      this.streams.delete(s.localId);
      if (!s.closed) {
        s.closed = true;
        this.write(A_CLSE, s.localId, s.remoteId);
      }
    }
  }

  private enqueue(s: Stream, data: Buffer): void {
    for (let off = 0; off < data.length; off += this.maxData) s.queue.push(data.subarray(off, off + this.maxData));
    this.pump(s);
  }

  private finish(s: Stream): void {
    s.closeAfterDrain = true;
    this.pump(s);
  }

  private pump(s: Stream): void {
    if (s.closed || s.awaitingOkay) return;
    const next = s.queue.shift();
    if (next) {
      s.awaitingOkay = true;
      this.write(A_WRTE, s.localId, s.remoteId, next);
    } else if (s.closeAfterDrain) {
      s.closed = true;
      this.write(A_CLSE, s.localId, s.remoteId);
    }
  }

  private open(remoteId: number, service: string): void {
    const colon = service.indexOf(':');
    const name = colon >= 0 ? service.slice(0, colon) : service;
    const arg = colon >= 0 ? service.slice(colon + 1) : '';
    const [base, ...flags] = name.split(',');
    const known = base === 'shell' || base === 'exec' || base === 'sync';
    if (!known || (base === 'shell' && flags.includes('v2') && !this.opts.shellV2)) {
      this.write(A_CLSE, 0, remoteId);
      return;
    }
    const s: Stream = { localId: this.nextId++, remoteId, queue: [], awaitingOkay: false, closeAfterDrain: false, closed: false };
    this.streams.set(s.localId, s);
    this.write(A_OKAY, s.localId, remoteId);

    if (base === 'sync') {
      const session = new SyncSession(this.dev, (d) => this.enqueue(s, d), () => this.finish(s));
      s.onData = (d) => session.push(d);
      return;
    }
    if (arg.trim() === '') {
      this.enqueue(s, Buffer.from('virtual phone: interactive shells are not supported; pass a command\n'));
      this.finish(s);
      return;
    }
    const v2 = base === 'shell' && flags.includes('v2');
    const pty = base === 'shell' && !flags.includes('raw') && (!this.opts.shellV2 || flags.includes('pty'));
    void runShell(this.dev, arg).then(
      (r) => this.deliverShell(s, r, v2, pty),
      (err: Error) => this.deliverShell(s, { stdout: Buffer.alloc(0), stderr: Buffer.from(`virtual phone: ${err.message}\n`), code: 1 }, v2, pty),
    );
  }

  private deliverShell(s: Stream, r: ShellResult, v2: boolean, pty: boolean): void {
    if (s.closed) return;
    if (v2) {
      if (r.stdout.length) this.enqueue(s, encodeShellPacket(SHELL_STDOUT, r.stdout));
      if (r.stderr.length) this.enqueue(s, encodeShellPacket(SHELL_STDERR, r.stderr));
      this.enqueue(s, encodeShellPacket(SHELL_EXIT, Buffer.from([r.code & 0xff])));
    } else {
      let out = r.combined ?? Buffer.concat([r.stdout, r.stderr]);
      // A PTY's ONLCR turns \n into \r\n (what Android < 7 does to `adb shell` output).
      if (pty) out = Buffer.from(out.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
      if (out.length) this.enqueue(s, out);
    }
    this.finish(s);
  }

  destroy(): void {
    this.sock.destroy();
  }
}

export class Adbd {
  private server: net.Server | null = null;
  private transports = new Set<Transport>();

  constructor(
    private readonly dev: VirtualDevice,
    readonly opts: AdbdOptions,
  ) {}

  async listen(): Promise<void> {
    const server = net.createServer((sock) => {
      if (this.dev.faults.adbDisconnected) {
        sock.destroy();
        return;
      }
      const t = new Transport(sock, this.dev, this.opts);
      this.transports.add(t);
      sock.on('close', () => this.transports.delete(t));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.opts.host, port: this.opts.port }, () => resolve());
    });
    this.server = server;
  }

  /** Accept the "Allow USB debugging?" prompt of every transport that shows it; how many did. */
  acceptPrompts(): number {
    return [...this.transports].filter((t) => t.acceptPrompt()).length;
  }

  /** Drop every transport but keep listening (adbd restarted, as after revoking authorisations). */
  dropTransports(): void {
    for (const t of this.transports) t.destroy();
    this.transports.clear();
  }

  /** "Pull the cable": drop every transport and stop listening. */
  async unplug(): Promise<void> {
    for (const t of this.transports) t.destroy();
    this.transports.clear();
    await this.close();
  }

  async plug(): Promise<void> {
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const t of this.transports) t.destroy();
    this.transports.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
