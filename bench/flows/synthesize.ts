/**
 * A synthetic but valid pcap for the flows benchmark: many TCP connections (handshake, data
 * both ways in mixed segment sizes, FIN or RST close; some reusing a source port), UDP
 * exchanges, IPv4 and IPv6, some VLAN-tagged, written in a stream (never held whole).
 */
import * as fs from 'fs';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../lib/capture/decode';
import { ethernetFrame, ipPacket, type L4Spec } from '../../lib/capture/pcap-writer';
import { seededRandom } from '../../lib/seeded-random';

export interface SynthesisResult {
  file: string;
  bytes: number;
  packets: number;
  tcpFlows: number;
  udpFlows: number;
}


export function synthesizeCapture(file: string, targetBytes: number): SynthesisResult {
  const rnd = seededRandom(20261127);
  const fd = fs.openSync(file, 'w');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  let pending: Buffer[] = [header];
  let pendingBytes = header.length;
  let written = 0;
  let packets = 0;
  let usec = 0;
  const sec0 = 1795234329;
  const payloads = [0, 0, 40, 120, 536, 1200, 1448, 1448];
  const filler = Buffer.alloc(1500, 0x61);

  const emit = (spec: L4Spec, vlan: boolean): void => {
    const frame = ethernetFrame(ipPacket(spec), vlan ? [[0x8100, 42]] : []);
    const record = Buffer.alloc(16);
    usec += 1 + Math.floor(rnd() * 200);
    record.writeUInt32LE(sec0 + Math.floor(usec / 1e6), 0);
    record.writeUInt32LE(usec % 1e6, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    pending.push(record, frame);
    pendingBytes += record.length + frame.length;
    packets++;
    if (pendingBytes > 4 * 1024 * 1024) flush();
  };
  const flush = (): void => {
    const chunk = Buffer.concat(pending, pendingBytes);
    fs.writeSync(fd, chunk);
    written += chunk.length;
    pending = [];
    pendingBytes = 0;
  };

  let tcpFlows = 0;
  let udpFlows = 0;
  try {
    for (let n = 0; written + pendingBytes < targetBytes; n++) {
      const v6 = n % 5 === 0;
      const vlan = n % 7 === 0;
      const client = v6 ? `2001:db8:c0::${(n % 200) + 1}` : `198.19.200.${(n % 200) + 1}`;
      const server = v6 ? `2001:db8:c0:1::${(n % 50) + 1}` : `198.19.201.${(n % 50) + 1}`;
      if (n % 10 === 9) {
        // UDP exchange
        const cport = 20000 + (n % 40000);
        const count = 2 + Math.floor(rnd() * 10);
        for (let i = 0; i < count; i++) {
          const fromClient = i % 2 === 0;
          const payload = filler.subarray(0, 20 + Math.floor(rnd() * 500));
          emit(
            fromClient
              ? { protocol: 'udp', src: client, dst: server, srcPort: cport, dstPort: 53 + (n % 3) * 1000, payload }
              : { protocol: 'udp', src: server, dst: client, srcPort: 53 + (n % 3) * 1000, dstPort: cport, payload },
            vlan,
          );
        }
        udpFlows++;
        continue;
      }
      // TCP connection; every 50th one reuses the previous connection's source port
      const cport = n % 50 === 1 ? 10000 + ((n - 1) % 50000) : 10000 + (n % 50000);
      let cseq = Math.floor(rnd() * 4294967295);
      let sseq = Math.floor(rnd() * 4294967295);
      const c = (flags: number, payload?: Buffer): L4Spec => ({ protocol: 'tcp', src: client, dst: server, srcPort: cport, dstPort: 443, flags, seq: cseq, ack: sseq, payload });
      const s = (flags: number, payload?: Buffer): L4Spec => ({ protocol: 'tcp', src: server, dst: client, srcPort: 443, dstPort: cport, flags, seq: sseq, ack: cseq, payload });
      emit({ ...c(TCP_SYN), ack: 0 }, vlan);
      cseq = (cseq + 1) >>> 0;
      emit(s(TCP_SYN | TCP_ACK), vlan);
      sseq = (sseq + 1) >>> 0;
      emit(c(TCP_ACK), vlan);
      const segments = 2 + Math.floor(rnd() * 30);
      for (let i = 0; i < segments; i++) {
        const size = payloads[Math.floor(rnd() * payloads.length)];
        const fromClient = rnd() < 0.3;
        const payload = filler.subarray(0, size);
        if (fromClient) {
          emit(c(TCP_ACK | 0x08, payload), vlan);
          cseq = (cseq + size) >>> 0;
        } else {
          emit(s(TCP_ACK | 0x08, payload), vlan);
          sseq = (sseq + size) >>> 0;
        }
      }
      if (n % 4 === 0) {
        emit(c(TCP_RST | TCP_ACK), vlan);
      } else {
        emit(c(TCP_FIN | TCP_ACK), vlan);
        cseq = (cseq + 1) >>> 0;
        emit(s(TCP_FIN | TCP_ACK), vlan);
        sseq = (sseq + 1) >>> 0;
        emit(c(TCP_ACK), vlan);
      }
      tcpFlows++;
    }
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return { file, bytes: written, packets, tcpFlows, udpFlows };
}
