/**
 * Damaged captures: seeded random byte flips and cuts of real captures must give flows or a
 * CaptureFormatError — never another exception (a decoder reading past a buffer, a bad
 * compression pointer, a loop).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CaptureFormatError, extractFlowsFromBuffer } from '../../lib/capture';
import { projectRoot, sharedDir } from '../../lib/project-paths';
import { seededRandom } from '../../lib/seeded-random';


const sources = [
  path.join(projectRoot, 'test/fixtures/flows/namespaces.pcapng'),
  path.join(sharedDir, 'corpus/tcpdump-tests/dns_udp.pcap'),
  path.join(sharedDir, 'corpus/tcpdump-tests/ssh.pcap'),
];

describe('damaged captures', () => {
  it.each(sources.map((f) => [path.basename(f), f]))('%s: 400 mutations give flows or a CaptureFormatError', (_name, file) => {
    const original = fs.readFileSync(file);
    const rnd = seededRandom(original.length);
    let readable = 0;
    let rejected = 0;
    for (let i = 0; i < 400; i++) {
      const damaged = Buffer.from(original);
      const flips = 1 + Math.floor(rnd() * 8);
      for (let k = 0; k < flips; k++) damaged[Math.floor(rnd() * damaged.length)] = Math.floor(rnd() * 256);
      const input = i % 4 === 3 ? damaged.subarray(0, Math.floor(rnd() * damaged.length)) : damaged;
      try {
        const result = extractFlowsFromBuffer(input);
        expect(result.packets).toBeGreaterThanOrEqual(0);
        readable++;
      } catch (err) {
        if (!(err instanceof CaptureFormatError)) throw new Error(`mutation ${i} of ${file}: ${(err as Error).stack}`);
        rejected++;
      }
    }
    expect(readable + rejected).toBe(400);
    expect(readable).toBeGreaterThan(0);
  });
});
