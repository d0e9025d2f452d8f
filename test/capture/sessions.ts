/** Synthetic conversations (packet lists) for flow tests: TCP handshakes/closes, UDP exchanges. */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../lib/capture/decode';
import { ipPacket, type L4Spec } from '../../lib/capture/pcap-writer';

const PSH = 0x08;

export interface TcpSessionSpec {
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  clientIsn: number;
  serverIsn: number;
  /** Payloads in order, each from the client ('c') or the server ('s'). */
  exchange?: Array<['c' | 's', Buffer]>;
  /** How it ends: FIN both ways (default) or a client RST. */
  close?: 'fin' | 'rst';
}

/** IP packets of one TCP connection: handshake, data (each acknowledged), close. */
export function tcpSession(spec: TcpSessionSpec): Buffer[] {
  let cseq = spec.clientIsn >>> 0;
  let sseq = spec.serverIsn >>> 0;
  const c = (flags: number, payload?: Buffer): L4Spec => ({ protocol: 'tcp', src: spec.client, dst: spec.server, srcPort: spec.clientPort, dstPort: spec.serverPort, flags, seq: cseq, ack: sseq, payload });
  const s = (flags: number, payload?: Buffer): L4Spec => ({ protocol: 'tcp', src: spec.server, dst: spec.client, srcPort: spec.serverPort, dstPort: spec.clientPort, flags, seq: sseq, ack: cseq, payload });
  const packets: L4Spec[] = [];
  packets.push({ ...c(TCP_SYN), ack: 0 });
  cseq = (cseq + 1) >>> 0;
  packets.push({ ...s(TCP_SYN | TCP_ACK) });
  sseq = (sseq + 1) >>> 0;
  packets.push(c(TCP_ACK));
  for (const [side, payload] of spec.exchange ?? []) {
    if (side === 'c') {
      packets.push(c(TCP_ACK | PSH, payload));
      cseq = (cseq + payload.length) >>> 0;
      packets.push(s(TCP_ACK));
    } else {
      packets.push(s(TCP_ACK | PSH, payload));
      sseq = (sseq + payload.length) >>> 0;
      packets.push(c(TCP_ACK));
    }
  }
  if (spec.close === 'rst') {
    packets.push(c(TCP_RST | TCP_ACK));
  } else {
    packets.push(c(TCP_FIN | TCP_ACK));
    cseq = (cseq + 1) >>> 0;
    packets.push(s(TCP_FIN | TCP_ACK));
    sseq = (sseq + 1) >>> 0;
    packets.push(c(TCP_ACK));
  }
  return packets.map(ipPacket);
}

/** IP packets of a UDP exchange. */
export function udpExchange(a: string, aPort: number, b: string, bPort: number, payloads: Array<['a' | 'b', Buffer]>): Buffer[] {
  return payloads.map(([side, payload]) =>
    ipPacket(
      side === 'a'
        ? { protocol: 'udp', src: a, dst: b, srcPort: aPort, dstPort: bPort, payload }
        : { protocol: 'udp', src: b, dst: a, srcPort: bPort, dstPort: aPort, payload },
    ),
  );
}
