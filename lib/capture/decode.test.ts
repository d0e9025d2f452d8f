import { Decoded, LINKTYPE, PacketDecoder, TCP_SYN } from './decode';
import { formatIPv4, formatIPv6 } from '../net/ip';
import { ethernetFrame, ipPacket, type L4Spec } from './pcap-writer';

const tcp4: L4Spec = { protocol: 'tcp', src: '198.19.200.1', dst: '198.19.200.2', srcPort: 40000, dstPort: 443, flags: TCP_SYN, seq: 1000, payload: Buffer.from('hi') };
const udp6: L4Spec = { protocol: 'udp', src: '2001:db8:c0::1', dst: '2001:db8:c0::2', srcPort: 5353, dstPort: 53, payload: Buffer.from('xyz') };

function decode(linkType: number, frame: Buffer): { outcome: Decoded; d: PacketDecoder } {
  const d = new PacketDecoder();
  // Decode from inside a bigger buffer, as records sit inside a file chunk.
  const chunk = Buffer.concat([Buffer.from([9, 9, 9]), frame, Buffer.from([7, 7])]);
  const outcome = d.decode(linkType, chunk, 3, frame.length);
  return { outcome, d };
}

function summary(d: PacketDecoder): string {
  const format = d.ipVersion === 4 ? formatIPv4 : formatIPv6;
  const payload = d.data.toString('latin1', d.payloadOffset, d.payloadOffset + d.payloadLength);
  return `${d.protocol} ${format(d.data, d.srcOffset)}:${d.srcPort} > ${format(d.data, d.dstOffset)}:${d.dstPort} flags=${d.tcpFlags} seq=${d.tcpSeq} payload=${payload}`;
}

const TCP4 = '6 198.19.200.1:40000 > 198.19.200.2:443 flags=2 seq=1000 payload=hi';
const UDP6 = '17 2001:db8:c0::1:5353 > 2001:db8:c0::2:53 flags=0 seq=0 payload=xyz';

describe('PacketDecoder link types', () => {
  it('Ethernet (1)', () => {
    const { outcome, d } = decode(LINKTYPE.ETHERNET, ethernetFrame(ipPacket(tcp4)));
    expect(outcome).toBe(Decoded.L4);
    expect(summary(d)).toBe(TCP4);
  });

  it('Linux cooked v1 (113): protocol at offset 14 of a 16-byte header', () => {
    const sll = Buffer.alloc(16);
    sll.writeUInt16BE(0x86dd, 14);
    const { outcome, d } = decode(LINKTYPE.LINUX_SLL, Buffer.concat([sll, ipPacket(udp6)]));
    expect(outcome).toBe(Decoded.L4);
    expect(summary(d)).toBe(UDP6);
  });

  it('Linux cooked v2 (276): protocol first in a 20-byte header', () => {
    const sll2 = Buffer.alloc(20);
    sll2.writeUInt16BE(0x0800, 0);
    const { outcome, d } = decode(LINKTYPE.LINUX_SLL2, Buffer.concat([sll2, ipPacket(tcp4)]));
    expect(outcome).toBe(Decoded.L4);
    expect(summary(d)).toBe(TCP4);
  });

  it('IPv6 (229) reads IPv6 only, as Wireshark does', () => {
    expect(summary(decode(LINKTYPE.IPV6, ipPacket(udp6)).d)).toBe(UDP6);
    expect(decode(LINKTYPE.IPV6, ipPacket(tcp4)).outcome).toBe(Decoded.Other);
  });

  it.each([101, 12, 14, 228])('raw IP (%i), version from the first nibble', (linkType) => {
    const v4 = decode(linkType, ipPacket(tcp4));
    expect(summary(v4.d)).toBe(TCP4);
    const v6 = decode(linkType, ipPacket(udp6));
    expect(v6.outcome).toBe(Decoded.L4);
    expect(summary(v6.d)).toBe(UDP6);
  });

  it('BSD null (0) in either host byte order, and loopback (108) big-endian', () => {
    const le = Buffer.from([2, 0, 0, 0]);
    const be = Buffer.from([0, 0, 0, 2]);
    expect(summary(decode(LINKTYPE.NULL, Buffer.concat([le, ipPacket(tcp4)])).d)).toBe(TCP4);
    expect(summary(decode(LINKTYPE.NULL, Buffer.concat([be, ipPacket(tcp4)])).d)).toBe(TCP4);
    for (const family of [24, 28, 30]) {
      expect(summary(decode(LINKTYPE.NULL, Buffer.concat([Buffer.from([family, 0, 0, 0]), ipPacket(udp6)])).d)).toBe(UDP6);
    }
    expect(summary(decode(LINKTYPE.LOOP, Buffer.concat([be, ipPacket(tcp4)])).d)).toBe(TCP4);
    expect(summary(decode(LINKTYPE.LOOP, Buffer.concat([Buffer.from([0, 0, 0, 30]), ipPacket(udp6)])).d)).toBe(UDP6);
  });

  it('other link types are reported as unsupported', () => {
    expect(decode(147, ipPacket(tcp4)).outcome).toBe(Decoded.UnsupportedLink);
  });
});

describe('PacketDecoder headers', () => {
  it('802.1ad + 802.1Q stacked VLAN tags', () => {
    const frame = ethernetFrame(ipPacket(tcp4), [
      [0x88a8, 100],
      [0x8100, 200],
    ]);
    const { outcome, d } = decode(LINKTYPE.ETHERNET, frame);
    expect(outcome).toBe(Decoded.L4);
    expect(summary(d)).toBe(TCP4);
  });

  it('IPv4 options are skipped by the header length', () => {
    const options = Buffer.from('94040000' + '01010100', 'hex'); // router alert, NOPs, EOL
    const { outcome, d } = decode(101, ipPacket({ ...tcp4, ipv4Options: options }));
    expect(outcome).toBe(Decoded.L4);
    expect(summary(d)).toBe(TCP4);
  });

  it('IPv6 extension headers: hop-by-hop, routing, destination options, AH', () => {
    const hopByHop = { type: 0, body: Buffer.from('0000010400000000', 'hex') }; // PadN
    const routing = { type: 43, body: Buffer.concat([Buffer.from('0002000000000000', 'hex'), Buffer.alloc(16)]) }; // 24 bytes
    const destination = { type: 60, body: Buffer.from('0000010400000000', 'hex') };
    const ah = { type: 51, body: Buffer.concat([Buffer.from('00040000', 'hex'), Buffer.alloc(20)]) }; // (4+2)*4 = 24 bytes
    const packet = ipPacket({ ...udp6, ipv6Extensions: [hopByHop, routing, destination, ah] });
    const { outcome, d } = decode(LINKTYPE.ETHERNET, ethernetFrame(packet));
    expect(outcome).toBe(Decoded.L4);
    expect(summary(d)).toBe(UDP6);
  });

  it('an IPv6 fragment header marks a fragment; an atomic fragment is a whole packet', () => {
    const fragment = (offsetAndFlags: number): Buffer => {
      const b = Buffer.from('0000000000000abc', 'hex');
      b.writeUInt16BE(offsetAndFlags, 2);
      return b;
    };
    const first = decode(101, ipPacket({ ...udp6, ipv6Extensions: [{ type: 44, body: fragment(0x0001) }] }));
    expect(first.outcome).toBe(Decoded.Fragment);
    expect(first.d.fragmentHasL4).toBe(true);
    expect(first.d.fragmentMore).toBe(true);
    const later = decode(101, ipPacket({ ...udp6, ipv6Extensions: [{ type: 44, body: fragment(0x0100) }] }));
    expect(later.outcome).toBe(Decoded.Fragment);
    expect(later.d.fragmentOffset).toBe(256);
    expect(later.d.fragmentHasL4).toBe(false);
    const atomic = decode(101, ipPacket({ ...udp6, ipv6Extensions: [{ type: 44, body: fragment(0) }] }));
    expect(atomic.outcome).toBe(Decoded.L4);
  });

  it('an IPv6 jumbogram takes its length from the hop-by-hop Jumbo Payload option', () => {
    const jumbo = { type: 0, body: Buffer.from('0000c20400000000', 'hex') };
    const packet = ipPacket({ ...udp6, ipv6Extensions: [jumbo] });
    packet.writeUInt32BE(packet.length - 40, 40 + 4); // option value: payload length
    packet.writeUInt16BE(0, 4); // IPv6 payload length 0
    const { outcome, d } = decode(101, packet);
    expect(outcome).toBe(Decoded.L4);
    expect(summary(d)).toBe(UDP6);
    const noOption = ipPacket(udp6);
    noOption.writeUInt16BE(0, 4);
    expect(decode(101, noOption).outcome).toBe(Decoded.Other);
  });

  it('an IPv4 fragment carries its offset and more-fragments flag', () => {
    const packet = ipPacket(tcp4);
    packet.writeUInt16BE(0x2000 | 3, 6); // MF, offset 3*8
    const { outcome, d } = decode(101, packet);
    expect(outcome).toBe(Decoded.Fragment);
    expect(d.fragmentOffset).toBe(24);
    expect(d.fragmentMore).toBe(true);
  });

  it('a capture cut before the ports is Short, never an exception', () => {
    const frame = ethernetFrame(ipPacket(tcp4));
    for (let length = 0; length < 14 + 20 + 16; length++) {
      const { outcome } = decode(LINKTYPE.ETHERNET, frame.subarray(0, length));
      expect([Decoded.Short, Decoded.Other]).toContain(outcome);
    }
    expect(decode(LINKTYPE.ETHERNET, frame.subarray(0, 14 + 20 + 16)).outcome).toBe(Decoded.L4);
  });

  it('follows IP-in-IP and GRE to the inner packet', () => {
    const inner = ipPacket(tcp4);
    const outer = ipPacket({ protocol: 'udp', src: '198.19.200.9', dst: '198.19.200.10', srcPort: 0, dstPort: 0 }).subarray(0, 20);
    const ipip = Buffer.concat([outer, inner]);
    ipip[9] = 4;
    ipip.writeUInt16BE(ipip.length, 2);
    expect(summary(decode(101, ipip).d)).toBe(TCP4);
    const gre = Buffer.concat([outer, Buffer.from('00000800', 'hex'), inner]);
    gre[9] = 47;
    gre.writeUInt16BE(gre.length, 2);
    expect(summary(decode(101, gre).d)).toBe(TCP4);
  });

  it('follows VXLAN and Geneve to an inner TCP/UDP packet, else keeps the outer UDP flow', () => {
    const innerFrame = ethernetFrame(ipPacket(tcp4));
    const vxlan = ipPacket({ protocol: 'udp', src: '198.19.200.9', dst: '198.19.200.10', srcPort: 50000, dstPort: 4789, payload: Buffer.concat([Buffer.from('0800000000000100', 'hex'), innerFrame]) });
    expect(summary(decode(101, vxlan).d)).toBe(TCP4);
    const geneve = ipPacket({ protocol: 'udp', src: '198.19.200.9', dst: '198.19.200.10', srcPort: 50000, dstPort: 6081, payload: Buffer.concat([Buffer.from('0000655800000100', 'hex'), innerFrame]) });
    expect(summary(decode(101, geneve).d)).toBe(TCP4);
    const arp = Buffer.concat([Buffer.alloc(12), Buffer.from('0806', 'hex'), Buffer.alloc(28)]);
    const vxlanArp = ipPacket({ protocol: 'udp', src: '198.19.200.9', dst: '198.19.200.10', srcPort: 50000, dstPort: 4789, payload: Buffer.concat([Buffer.from('0800000000000100', 'hex'), arp]) });
    const { outcome, d } = decode(101, vxlanArp);
    expect(outcome).toBe(Decoded.L4);
    expect(`${d.protocol} ${formatIPv4(d.data, d.srcOffset)}:${d.srcPort} > ${formatIPv4(d.data, d.dstOffset)}:${d.dstPort}`).toBe('17 198.19.200.9:50000 > 198.19.200.10:4789');
  });

  it('a UDP length field below 8 is malformed (Short), 0 is a jumbogram only in IPv6', () => {
    const bogus = ipPacket({ protocol: 'udp', src: '198.19.200.1', dst: '198.19.200.2', srcPort: 1, dstPort: 2 });
    bogus.writeUInt16BE(0, 24);
    expect(decode(101, bogus).outcome).toBe(Decoded.Short);
    const v6 = ipPacket(udp6);
    v6.writeUInt16BE(0, 44);
    expect(decode(101, v6).outcome).toBe(Decoded.L4);
  });

  it('ARP and ICMP are Other', () => {
    const arp = Buffer.concat([Buffer.alloc(12), Buffer.from('0806', 'hex'), Buffer.alloc(28)]);
    expect(decode(LINKTYPE.ETHERNET, arp).outcome).toBe(Decoded.Other);
    const icmp = ipPacket(tcp4);
    icmp[9] = 1;
    expect(decode(101, icmp).outcome).toBe(Decoded.Other);
  });
});
