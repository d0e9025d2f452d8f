/**
 * A file's bytes as chunks read into one reused buffer, for readers that do not keep a chunk
 * once they asked for the next (CaptureReader copies what it keeps):
 *  - no new memory per chunk: fs.createReadStream allocates a fresh Buffer for every read, and
 *    on an 80 MB capture the page faults and garbage collection of those cost about as much as
 *    decoding the packets;
 *  - blocking reads: a MiB from the page cache takes ~0.2 ms, less than decoding it does, and
 *    less than a read handed to libuv's thread pool and awaited (measured: the thread pool's
 *    read-ahead did not overlap enough on 2 cores to pay for itself). A source that can stall
 *    (a FIFO, a network file system) stalls the caller's event loop with it.
 * Memory stays at one chunk whatever the file size.
 */
import * as fs from 'fs';

export const FILE_CHUNK_BYTES = 1024 * 1024;

/** The chunks of `file`. Each one is valid only until the next is asked for. The file is
 *  opened at the first request and closed when the iteration ends, also when the consumer
 *  stops early or throws. */
export function* fileChunks(file: string, chunkBytes = FILE_CHUNK_BYTES): Generator<Buffer, void, undefined> {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      // position null: read on from the current offset, which FIFOs need (they cannot seek)
      const length = fs.readSync(fd, buffer, 0, chunkBytes, null);
      if (length === 0) return;
      yield buffer.subarray(0, length);
    }
  } finally {
    fs.closeSync(fd);
  }
}
