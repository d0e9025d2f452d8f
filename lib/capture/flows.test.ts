import { clientHello, dnsResponse } from '../../test/capture/payloads';
import { tcpSession, udpExchange } from '../../test/capture/sessions';
import { TCP_ACK, TCP_SYN } from './decode';
import { extractFlows, extractFlowsFromBuffer } from './flows';
import { ethernetFrame, ipPacket, pcapFile, pcapngFile, type RecordSpec } from './pcap-writer';

const C = '198.19.200.1';
const S = '198.19.200.2';

/** Ethernet pcap records one millisecond apart from 1795234329 s. */
function records(packets: Buffer[], start = 0): RecordSpec[] {
  return packets.map((p, i) => ({ sec: 1795234329, fraction: (start + i) * 1000, data: ethernetFrame(p) }));
}

function brief(result: ReturnType<typeof extractFlowsFromBuffer>): string[] {
  return result.flows.map((f) => `${f.protocol} ${f.client.ip}:${f.client.port} > ${f.server.ip}:${f.server.port} ${f.packets}p ${f.bytes}B`);
}

describe('flows: TCP connections', () => {
  it('starts a new flow for a new SYN on a reused 4-tuple after FIN or RST, not for a SYN retransmission', () => {
    const first = tcpSession({ client: C, server: S, clientPort: 40000, serverPort: 8080, clientIsn: 1000, serverIsn: 5000, exchange: [['c', Buffer.from('one')]] });
    const second = tcpSession({ client: C, server: S, clientPort: 40000, serverPort: 8080, clientIsn: 900000, serverIsn: 7000, close: 'rst' });
    const third = tcpSession({ client: C, server: S, clientPort: 40000, serverPort: 8080, clientIsn: 0xfffffff0, serverIsn: 9000 });
    const packets = [...first, second[0], second[0], ...second.slice(1), ...third];
    const result = extractFlowsFromBuffer(pcapFile(1, records(packets)));
    expect(brief(result)).toEqual([
      `tcp ${C}:40000 > ${S}:8080 8p 435B`, // 3 handshake + data/ack + 3 close; 54-byte frames + 3 data
      `tcp ${C}:40000 > ${S}:8080 5p 270B`, // SYN twice, SYN-ACK, ACK, RST
      `tcp ${C}:40000 > ${S}:8080 6p 324B`,
    ]);
    expect(result.packets).toBe(packets.length);
    expect(result.stats.inFlows).toBe(packets.length);
  });

  it('makes the side that sent first the client, even when it is the server port', () => {
    const synAck = ipPacket({ protocol: 'tcp', src: S, dst: C, srcPort: 443, dstPort: 40001, flags: TCP_SYN | TCP_ACK, seq: 1, ack: 2 });
    const ack = ipPacket({ protocol: 'tcp', src: C, dst: S, srcPort: 40001, dstPort: 443, flags: TCP_ACK, seq: 2, ack: 2 });
    const result = extractFlowsFromBuffer(pcapFile(1, records([synAck, ack])));
    expect(brief(result)).toEqual([`tcp ${S}:443 > ${C}:40001 2p 108B`]);
  });

  it('reads the TLS SNI of a ClientHello split over segments, despite a retransmission', () => {
    const hello = clientHello('svc.mtcap.test');
    const parts: Array<['c' | 's', Buffer]> = [
      ['c', hello.subarray(0, 30)],
      ['c', hello.subarray(30)],
    ];
    const session = tcpSession({ client: C, server: S, clientPort: 40002, serverPort: 443, clientIsn: 77, serverIsn: 88, exchange: parts });
    const withRetransmission = [...session.slice(0, 4), session[3], ...session.slice(4)];
    const result = extractFlowsFromBuffer(pcapFile(1, records(withRetransmission)));
    expect(result.flows[0].sni).toBe('svc.mtcap.test');
  });
});

describe('flows: UDP, DNS and names', () => {
  it('keeps one flow per UDP 4-tuple in both directions and reads DNS answers over UDP and TCP', () => {
    const query = Buffer.from('56780100000100000000000003737663056d74636170047465737400000100 01'.replace(/ /g, ''), 'hex');
    const udp = udpExchange(C, 50000, S, 53, [
      ['a', query],
      ['b', dnsResponse(0x5678)],
    ]);
    const response = dnsResponse(0x9abc);
    const framed = Buffer.concat([Buffer.from([response.length >> 8, response.length & 0xff]), response]);
    const tcp = tcpSession({
      client: C,
      server: S,
      clientPort: 50001,
      serverPort: 53,
      clientIsn: 1,
      serverIsn: 2,
      exchange: [
        ['s', framed.subarray(0, 7)],
        ['s', framed.subarray(7)],
      ],
    });
    const toService = tcpSession({ client: C, server: '198.19.200.50', clientPort: 40003, serverPort: 443, clientIsn: 5, serverIsn: 6 });
    const result = extractFlowsFromBuffer(pcapFile(1, records([...udp, ...tcp, ...toService])));
    expect(brief(result)).toEqual([
      `udp ${C}:50000 > ${S}:53 2p 211B`,
      `tcp ${C}:50001 > ${S}:53 10p 637B`,
      `tcp ${C}:40003 > 198.19.200.50:443 6p 324B`,
    ]);
    expect(result.dns.map((d) => [d.name, d.addresses])).toEqual([
      ['svc.mtcap.test', ['198.19.200.50', '2001:db8:c0::50']],
      ['edge.mtcap.test', ['198.19.200.50', '2001:db8:c0::50']],
    ]);
    expect(result.dns[0].server).toBe(S);
    expect(result.flows[2].serverNames).toEqual(['svc.mtcap.test', 'edge.mtcap.test']);
  });
});

describe('flows: fragments, truncation, time stamps, streaming', () => {
  it('counts a fragmented UDP datagram once, in the frame that completes it', () => {
    const whole = ipPacket({ protocol: 'udp', src: C, dst: S, srcPort: 7000, dstPort: 7001, payload: Buffer.alloc(40, 1) });
    const data = whole.subarray(20); // UDP header + payload = 48 bytes
    const fragment = (offset: number, more: boolean, body: Buffer): Buffer => {
      const h = Buffer.from(whole.subarray(0, 20));
      h.writeUInt16BE(20 + body.length, 2);
      h.writeUInt16BE(0x1234, 4);
      h.writeUInt16BE((more ? 0x2000 : 0) | (offset / 8), 6);
      return Buffer.concat([h, body]);
    };
    const packets = [fragment(24, false, data.subarray(24)), fragment(0, true, data.subarray(0, 24))];
    const result = extractFlowsFromBuffer(pcapFile(1, records(packets)));
    expect(brief(result)).toEqual([`udp ${C}:7000 > ${S}:7001 1p 58B`]);
    expect(result.stats.fragments).toBe(2);
    expect(result.stats.reassembled).toBe(1);
  });

  it('counts records cut short by the snap length and still attributes them', () => {
    const session = tcpSession({ client: C, server: S, clientPort: 40004, serverPort: 80, clientIsn: 1, serverIsn: 2, exchange: [['c', Buffer.alloc(1000)]] });
    const recs = records(session).map((r) => (r.data.length > 96 ? { ...r, originalLength: r.data.length, data: r.data.subarray(0, 96) } : r));
    const result = extractFlowsFromBuffer(pcapFile(1, recs));
    expect(result.stats.truncated).toBe(1);
    expect(brief(result)).toEqual([`tcp ${C}:40004 > ${S}:80 8p 1432B`]);
  });

  it('prints first/last seen with the file resolution: microseconds (pcap), nanoseconds (pcapng)', () => {
    const session = udpExchange(C, 1, S, 2, [['a', Buffer.from('x')], ['b', Buffer.from('y')]]);
    const us = extractFlowsFromBuffer(pcapFile(1, records(session)));
    expect([us.flows[0].firstSeen, us.flows[0].lastSeen]).toEqual(['2026-11-21T04:12:09.000000Z', '2026-11-21T04:12:09.001000Z']);
    const ns = extractFlowsFromBuffer(
      pcapngFile([{ linkType: 101, tsresol: 9 }], [
        { sec: 1795234329, fraction: 5, data: session[0] },
        { sec: 1795234330, fraction: 999999999, data: session[1] },
      ]),
    );
    expect(ns.format).toBe('pcapng');
    expect([ns.flows[0].firstSeen, ns.flows[0].lastSeen]).toEqual(['2026-11-21T04:12:09.000000005Z', '2026-11-21T04:12:10.999999999Z']);
  });

  it('gives the same result streamed in small chunks as read whole', async () => {
    const packets = [
      ...tcpSession({ client: C, server: S, clientPort: 40005, serverPort: 80, clientIsn: 1, serverIsn: 2, exchange: [['c', Buffer.alloc(300, 1)], ['s', Buffer.alloc(700, 2)]] }),
      ...udpExchange('2001:db8:c0::1', 9, '2001:db8:c0::2', 10, [['a', Buffer.from('q')], ['b', Buffer.from('r')]]),
    ];
    const file = pcapFile(1, records(packets));
    const whole = extractFlowsFromBuffer(file);
    const chunks: Buffer[] = [];
    for (let at = 0; at < file.length; at += 37) chunks.push(file.subarray(at, at + 37));
    async function* stream(): AsyncGenerator<Buffer> {
      for (const chunk of chunks) yield chunk;
    }
    expect(await extractFlows(stream())).toEqual(whole);
    expect(brief(whole)).toEqual([`tcp ${C}:40005 > ${S}:80 10p 1540B`, 'udp 2001:db8:c0::1:9 > 2001:db8:c0::2:10 2p 126B']);
  });
});
