/**
 * Hand-built captures of every container variant — big-endian pcap, nanosecond pcap, big-endian
 * pcapng with three interfaces of different link types and resolutions — and the benchmark's
 * synthetic capture (thousands of flows, reused ports, VLAN, IPv6), each read by tshark too:
 * the conversations and time stamps must agree.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { synthesizeCapture } from '../../bench/flows/synthesize';
import { extractFlows } from '../../lib/capture';
import { ethernetFrame, pcapFile, pcapngFile, type RecordSpec } from '../../lib/capture/pcap-writer';
import { tcpSession, udpExchange } from './sessions';
import { asConversations, conversationLines, tsharkConversations } from './tshark-conversations';

const run = promisify(execFile);
jest.setTimeout(120000);

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtcap-synth-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const C = '198.19.200.1';
const S = '198.19.200.2';
const session = [
  ...tcpSession({ client: C, server: S, clientPort: 40000, serverPort: 80, clientIsn: 10, serverIsn: 20, exchange: [['c', Buffer.alloc(100, 1)]] }),
  ...tcpSession({ client: C, server: S, clientPort: 40000, serverPort: 80, clientIsn: 5000, serverIsn: 6000, close: 'rst' }),
  ...udpExchange('2001:db8:c0::1', 5000, '2001:db8:c0::2', 53, [['a', Buffer.from('q')], ['b', Buffer.from('r')]]),
];

async function compare(file: string): Promise<void> {
  const ours = await extractFlows(fs.createReadStream(file));
  expect(conversationLines(asConversations(ours.flows))).toEqual(conversationLines(await tsharkConversations(file)));
  // First-seen stamps against tshark's frame.time_epoch of each conversation's first frame.
  const { stdout } = await run('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-Y', 'tcp or udp']);
  const epochs = stdout.trim().split('\n').map((e) => e.trim());
  const toEpoch = (iso: string): string => {
    const [whole, fraction = ''] = iso.replace('Z', '').split('.');
    return `${Date.parse(`${whole}Z`) / 1000}.${fraction.padEnd(9, '0')}`;
  };
  expect(epochs).toContain(toEpoch(ours.flows[0].firstSeen));
}

describe('hand-built captures agree with tshark', () => {
  const recs = (packets: Buffer[], unit: number): RecordSpec[] => packets.map((p, i) => ({ sec: 1795234329 + i, fraction: 123 * unit + i, data: ethernetFrame(p) }));

  it('big-endian microsecond pcap', async () => {
    const file = path.join(dir, 'be.pcap');
    fs.writeFileSync(file, pcapFile(1, recs(session, 1000), { bigEndian: true }));
    await compare(file);
  });

  it('nanosecond pcap (a1b23c4d), little- and big-endian', async () => {
    for (const bigEndian of [false, true]) {
      const file = path.join(dir, `ns-${bigEndian}.pcap`);
      fs.writeFileSync(file, pcapFile(1, recs(session, 1000000), { bigEndian, nanos: true }));
      await compare(file);
    }
  });

  it('big-endian pcapng, three interfaces: Ethernet µs, raw IP ns, Linux cooked ms', async () => {
    const cooked = (p: Buffer): Buffer => {
      const h = Buffer.alloc(16);
      h.writeUInt16BE(p[0] >> 4 === 6 ? 0x86dd : 0x0800, 14);
      return Buffer.concat([h, p]);
    };
    const records: RecordSpec[] = session.map((p, i) => {
      const iface = i % 3;
      const data = iface === 0 ? ethernetFrame(p) : iface === 1 ? p : cooked(p);
      return { sec: 1795234329 + i, fraction: [123456, 123456789, 123][iface], data, interfaceId: iface };
    });
    const file = path.join(dir, 'multi-be.pcapng');
    fs.writeFileSync(file, pcapngFile([{ linkType: 1 }, { linkType: 101, tsresol: 9 }, { linkType: 113, tsresol: 3 }], records, { bigEndian: true }));
    await compare(file);
  });

  it('the benchmark capture (8 MiB: thousands of flows, reused ports, VLAN, IPv6)', async () => {
    const file = path.join(dir, 'bench.pcap');
    const synth = synthesizeCapture(file, 8 * 1024 * 1024);
    const ours = await extractFlows(fs.createReadStream(file));
    expect(ours.flows).toHaveLength(synth.tcpFlows + synth.udpFlows);
    expect(conversationLines(asConversations(ours.flows))).toEqual(conversationLines(await tsharkConversations(file)));
  });
});
