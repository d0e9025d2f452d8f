/** JSON-lines framing over a stream socket (the emulated chat protocol and control channels). */
import type { Duplex } from 'stream';

export function onJsonLines(stream: Duplex, handler: (value: unknown) => void, onBad?: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        onBad?.(line);
        continue;
      }
      handler(value);
    }
  });
}

export function writeJsonLine(stream: Duplex, value: unknown): boolean {
  if (stream.destroyed || !stream.writable) return false;
  return stream.write(`${JSON.stringify(value)}\n`);
}
