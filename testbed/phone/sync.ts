/**
 * adbd's `sync:` service (AOSP file_sync_service): STAT, LIST, RECV, SEND, QUIT over one
 * stream. Requests are `ID(4) LEN(u32le) DATA`; replies DATA chunks of at most 64 KiB.
 * Paths are phone paths mapped into the phone's directory (VirtualDevice.hostPath).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { VirtualDevice } from './device';

const SYNC_DATA_MAX = 64 * 1024;

function packet(id: string, ...words: number[]): Buffer {
  const b = Buffer.alloc(4 + words.length * 4);
  b.write(id, 0, 'latin1');
  words.forEach((w, i) => b.writeUInt32LE(w >>> 0, 4 + i * 4));
  return b;
}

function fail(message: string): Buffer {
  const m = Buffer.from(message);
  return Buffer.concat([packet('FAIL', m.length), m]);
}

export class SyncSession {
  private pending = Buffer.alloc(0);
  private receiving: { file: string; mode: number; chunks: Buffer[] } | null = null;

  constructor(
    private readonly dev: VirtualDevice,
    private readonly send: (data: Buffer) => void,
    private readonly close: () => void,
  ) {}

  push(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.pending.length < 8) return;
      const id = this.pending.toString('latin1', 0, 4);
      const len = this.pending.readUInt32LE(4);
      // DONE during SEND carries an mtime, not a length.
      if (this.receiving && id === 'DONE') {
        this.pending = this.pending.subarray(8);
        this.finishSend();
        continue;
      }
      if (this.pending.length < 8 + len) return;
      const data = this.pending.subarray(8, 8 + len);
      this.pending = this.pending.subarray(8 + len);
      this.handle(id, Buffer.from(data));
    }
  }

  private handle(id: string, data: Buffer): void {
    if (this.receiving) {
      if (id === 'DATA') this.receiving.chunks.push(data);
      else {
        this.receiving = null;
        this.send(fail(`unexpected ${id} during SEND`));
      }
      return;
    }
    const phonePath = data.toString('utf8');
    switch (id) {
      case 'STAT': {
        const host = this.dev.hostPath(phonePath);
        if (!host || !fs.existsSync(host)) return this.send(packet('STAT', 0, 0, 0));
        const st = fs.statSync(host);
        return this.send(packet('STAT', st.isDirectory() ? 0o40771 : 0o100660, st.size, Math.floor(st.mtimeMs / 1000)));
      }
      case 'LIST': {
        const host = this.dev.hostPath(phonePath);
        const out: Buffer[] = [];
        if (host && fs.existsSync(host) && fs.statSync(host).isDirectory()) {
          for (const name of ['.', '..', ...fs.readdirSync(host)]) {
            const st = fs.statSync(path.join(host, name === '..' ? '.' : name));
            const n = Buffer.from(name);
            out.push(packet('DENT', st.isDirectory() ? 0o40771 : 0o100660, st.size, Math.floor(st.mtimeMs / 1000), n.length), n);
          }
        }
        out.push(packet('DONE', 0, 0, 0, 0));
        return this.send(Buffer.concat(out));
      }
      case 'RECV': {
        const host = this.dev.hostPath(phonePath);
        if (!host || !fs.existsSync(host) || fs.statSync(host).isDirectory()) return this.send(fail('No such file or directory'));
        const content = fs.readFileSync(host);
        const out: Buffer[] = [];
        for (let off = 0; off < content.length; off += SYNC_DATA_MAX) {
          const part = content.subarray(off, off + SYNC_DATA_MAX);
          out.push(packet('DATA', part.length), part);
        }
        out.push(packet('DONE', 0));
        return this.send(Buffer.concat(out));
      }
      case 'SEND': {
        const comma = phonePath.lastIndexOf(',');
        const target = comma >= 0 ? phonePath.slice(0, comma) : phonePath;
        const mode = comma >= 0 ? Number(phonePath.slice(comma + 1)) : 0o644;
        const host = this.dev.hostPath(target);
        if (!host) return this.send(fail(`${target}: Permission denied`));
        this.receiving = { file: host, mode, chunks: [] };
        return;
      }
      case 'QUIT':
        return this.close();
      default:
        this.send(fail(`unknown sync request ${JSON.stringify(id)}`));
        this.close();
    }
  }

  private finishSend(): void {
    const r = this.receiving;
    this.receiving = null;
    if (!r) return;
    try {
      fs.mkdirSync(path.dirname(r.file), { recursive: true });
      fs.writeFileSync(r.file, Buffer.concat(r.chunks));
      this.send(packet('OKAY', 0));
    } catch (err) {
      this.send(fail((err as Error).message));
    }
  }
}
