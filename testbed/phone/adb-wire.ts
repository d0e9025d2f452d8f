/**
 * ADB transport messages (the wire format between the adb server and adbd), as documented in
 * AOSP system/core/adb/protocol.txt: a 24-byte little-endian header
 * (command, arg0, arg1, data_length, data_checksum, magic = command ^ 0xffffffff) + payload.
 * Pure code: encoding and an incremental decoder.
 */

export const A_CNXN = 0x4e584e43;
export const A_AUTH = 0x48545541;
export const A_OPEN = 0x4e45504f;
export const A_OKAY = 0x59414b4f;
export const A_CLSE = 0x45534c43;
export const A_WRTE = 0x45545257;

/** Protocol version that lets both sides skip the checksum (adb >= 1.0.36). */
export const A_VERSION = 0x01000001;
/** Largest payload we send in one WRTE (adb 29 offers 1 MiB; 256 KiB is what Android 7+ uses). */
export const MAX_PAYLOAD = 256 * 1024;

export interface AdbMessage {
  command: number;
  arg0: number;
  arg1: number;
  data: Buffer;
}

export function commandName(command: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(command >>> 0);
  return b.toString('latin1');
}

function checksum(data: Buffer): number {
  let sum = 0;
  for (const byte of data) sum = (sum + byte) >>> 0;
  return sum;
}

export function encodeMessage(msg: AdbMessage): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(msg.command >>> 0, 0);
  header.writeUInt32LE(msg.arg0 >>> 0, 4);
  header.writeUInt32LE(msg.arg1 >>> 0, 8);
  header.writeUInt32LE(msg.data.length, 12);
  header.writeUInt32LE(checksum(msg.data), 16);
  header.writeUInt32LE((msg.command ^ 0xffffffff) >>> 0, 20);
  return Buffer.concat([header, msg.data]);
}

/** Incremental decoder: feed socket chunks, get whole messages. Throws on a corrupt header. */
export class MessageDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxData = 16 * 1024 * 1024) {}

  push(chunk: Buffer): AdbMessage[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: AdbMessage[] = [];
    while (this.pending.length >= 24) {
      const command = this.pending.readUInt32LE(0);
      const magic = this.pending.readUInt32LE(20);
      if (((command ^ 0xffffffff) >>> 0) !== magic) {
        throw new Error(`adb message with bad magic: command=0x${command.toString(16)} magic=0x${magic.toString(16)}`);
      }
      const length = this.pending.readUInt32LE(12);
      if (length > this.maxData) throw new Error(`adb message payload too large: ${length} bytes`);
      if (this.pending.length < 24 + length) break;
      out.push({
        command,
        arg0: this.pending.readUInt32LE(4),
        arg1: this.pending.readUInt32LE(8),
        data: Buffer.from(this.pending.subarray(24, 24 + length)),
      });
      this.pending = this.pending.subarray(24 + length);
    }
    return out;
  }
}

/** shell protocol v2 packet ids (AOSP shell_protocol.h). */
export const SHELL_STDIN = 0;
export const SHELL_STDOUT = 1;
export const SHELL_STDERR = 2;
export const SHELL_EXIT = 3;
export const SHELL_CLOSE_STDIN = 4;
export const SHELL_WINDOW_SIZE = 5;

export function encodeShellPacket(id: number, data: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(id, 0);
  header.writeUInt32LE(data.length, 1);
  return Buffer.concat([header, data]);
}

/** Incremental shell-v2 packet decoder (used by the driver on the client side and by adbd). */
export class ShellPacketDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ id: number; data: Buffer }> {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Array<{ id: number; data: Buffer }> = [];
    while (this.pending.length >= 5) {
      const length = this.pending.readUInt32LE(1);
      if (this.pending.length < 5 + length) break;
      out.push({ id: this.pending.readUInt8(0), data: Buffer.from(this.pending.subarray(5, 5 + length)) });
      this.pending = this.pending.subarray(5 + length);
    }
    return out;
  }
}
