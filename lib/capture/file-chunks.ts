/**
 * A file's bytes as chunks read into two buffers that take turns, for readers that do not keep
 * a chunk once they asked for the next (CaptureReader copies what it keeps):
 *  - no new memory per chunk: fs.createReadStream allocates a fresh Buffer for every read, and
 *    on an 80 MB capture the page faults and garbage collection of those cost about as much as
 *    decoding the packets;
 *  - the next read runs (in libuv's thread pool) while the caller works on the current chunk.
 * Memory stays at two chunks whatever the file size. Works on FIFOs too (reads at the current
 * position, never at an offset).
 */
import * as fs from 'fs';

export const FILE_CHUNK_BYTES = 1024 * 1024;

/** The chunks of `file`. Each one is valid only until the iterator is advanced. The file is
 *  closed when the iteration ends, also when the consumer stops early or throws. */
export async function* fileChunks(file: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Buffer, void, undefined> {
  const handle = await fs.promises.open(file, 'r');
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  let turn = 0;
  const read = (buffer: Buffer): Promise<number> => {
    const pending = handle.read(buffer, 0, buffer.length, null).then((r) => r.bytesRead);
    // Awaited later (maybe after the consumer's own awaits): a failure must not count as unhandled.
    pending.catch(() => undefined);
    return pending;
  };
  let next: Promise<number> | null = read(buffers[turn]);
  try {
    for (;;) {
      const length = await next;
      next = null;
      if (length === 0) return;
      const current = buffers[turn];
      turn ^= 1;
      next = read(buffers[turn]);
      yield current.subarray(0, length);
    }
  } finally {
    // A read still in flight writes into our buffer and needs the descriptor: let it end first.
    if (next) await next.catch(() => undefined);
    await handle.close();
  }
}
