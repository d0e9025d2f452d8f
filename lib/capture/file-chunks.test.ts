import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { clientHello, dnsResponse } from '../../test/capture/payloads';
import { tcpSession, udpExchange } from '../../test/capture/sessions';
import { fileChunks } from './file-chunks';
import { extractFlows, extractFlowsFromBuffer } from './flows';
import { ethernetFrame, pcapFile, pcapngFile } from './pcap-writer';

let dir: string;
let file: string;
let bytes: Buffer;
let pcap: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'file-chunks-'));
  file = path.join(dir, 'capture.pcapng');
  // TLS and DNS payloads make the extractor keep stream bytes across records (and chunks).
  const packets = [
    ...tcpSession({ client: '198.19.200.1', server: '198.19.200.2', clientPort: 40000, serverPort: 443, clientIsn: 7, serverIsn: 9, exchange: [['c', clientHello('svc.mtcap.test', 20)], ['s', Buffer.alloc(900, 2)]] }),
    ...udpExchange('2001:db8:c0::1', 5353, '2001:db8:c0::53', 53, [['a', Buffer.from('query')], ['b', dnsResponse(0x77)]]),
    ...tcpSession({ client: '2001:db8:c0::1', server: '2001:db8:c0::2', clientPort: 40001, serverPort: 8080, clientIsn: 1, serverIsn: 2, close: 'rst' }),
  ];
  const records = packets.map((p, i) => ({ sec: 1795234329, fraction: i * 1000, data: ethernetFrame(p) }));
  bytes = pcapngFile([{ linkType: 1, tsresol: 6 }], records);
  fs.writeFileSync(file, bytes);
  pcap = path.join(dir, 'capture.pcap');
  fs.writeFileSync(pcap, pcapFile(1, records));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function openFiles(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

describe('fileChunks', () => {
  it('yields the whole file in order, in chunks of at most the given size', async () => {
    const seen: Buffer[] = [];
    for await (const chunk of fileChunks(file, 100)) {
      expect(chunk.length).toBeLessThanOrEqual(100);
      seen.push(Buffer.from(chunk)); // copied: the next read reuses the memory
    }
    expect(Buffer.concat(seen).equals(bytes)).toBe(true);
    expect(seen.length).toBe(Math.ceil(bytes.length / 100));
  });

  it('feeds the extractor the same result as the whole file, whatever the chunk size (memory reused)', async () => {
    for (const capture of [file, pcap]) {
      const whole = extractFlowsFromBuffer(fs.readFileSync(capture));
      expect(whole.flows.map((f) => f.sni ?? '')).toContain('svc.mtcap.test');
      expect(whole.dns.length).toBeGreaterThan(0);
      for (const size of [1, 7, 64, 333, 1 << 20]) expect(await extractFlows(fileChunks(capture, size))).toEqual(whole);
    }
  });

  it('closes the file when the consumer stops early or throws', async () => {
    const before = openFiles();
    for await (const chunk of fileChunks(file, 16)) if (chunk.length > 0) break;
    await expect(
      (async () => {
        for await (const chunk of fileChunks(file, 16)) if (chunk.length > 0) throw new Error('consumer failed');
      })(),
    ).rejects.toThrow('consumer failed');
    expect(openFiles()).toBe(before);
  });

  it('fails with the system error code for a missing file', async () => {
    await expect(extractFlows(fileChunks(path.join(dir, 'missing.pcap')))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
