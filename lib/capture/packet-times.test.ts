/** The `packetTimes` option: every packet's epoch-ms time per flow, for lib/classify's correlation. */
import { tcpSession } from '../../test/capture/sessions';
import { extractFlows, extractFlowsFromBuffer } from './flows';
import { ethernetFrame, pcapFile, pcapngFile, type RecordSpec } from './pcap-writer';

const C = '198.19.200.1';
const S = '198.19.200.2';
const S2 = '198.19.200.3';

describe('flows: packetTimes', () => {
  // two connections interleaved, packets 250 ms apart (fraction in microseconds)
  const a = tcpSession({ client: C, server: S, clientPort: 40000, serverPort: 443, clientIsn: 1, serverIsn: 2 });
  const b = tcpSession({ client: C, server: S2, clientPort: 40001, serverPort: 5222, clientIsn: 3, serverIsn: 4 });
  const order = [a[0], b[0], a[1], b[1], ...a.slice(2), ...b.slice(2)];
  const records: RecordSpec[] = order.map((p, i) => ({ sec: 1795234329 + Math.floor(i / 4), fraction: (i % 4) * 250_000, data: ethernetFrame(p) }));
  const expectedTimes = (packets: Buffer[]) => packets.map((p) => {
    const i = order.indexOf(p);
    return (1795234329 + Math.floor(i / 4)) * 1000 + (i % 4) * 250;
  });

  it('lists each flow\'s packet times in epoch ms, both directions, in capture order', () => {
    const result = extractFlowsFromBuffer(pcapFile(1, records), { packetTimes: true });
    expect(result.flows.map((f) => f.packetTimes)).toEqual([expectedTimes(a), expectedTimes(b)]);
    for (const f of result.flows) expect(f.packetTimes).toHaveLength(f.packets);
  });

  it('keeps microseconds of nanosecond pcapng stamps (what an epoch-ms double holds), streaming or whole', async () => {
    const ns = records.map((r) => ({ ...r, fraction: r.fraction * 1000 + 123456 }));
    const file = pcapngFile([{ linkType: 1, tsresol: 9 }], ns.map((r) => ({ ...r, interfaceId: 0 })));
    const streamed = await extractFlows([file.subarray(0, 100), file.subarray(100)], { packetTimes: true });
    const whole = extractFlowsFromBuffer(file, { packetTimes: true });
    expect(streamed.flows.map((f) => f.packetTimes)).toEqual(whole.flows.map((f) => f.packetTimes));
    expect(whole.flows[0].packetTimes?.[0]).toBeCloseTo(expectedTimes(a)[0] + 0.123, 3);
  });

  it('is off by default: flows then look exactly as before', () => {
    const result = extractFlowsFromBuffer(pcapFile(1, records));
    for (const f of result.flows) expect(f).not.toHaveProperty('packetTimes');
  });
});
