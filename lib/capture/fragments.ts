/**
 * Just enough IP reassembly to count fragmented TCP/UDP datagrams the way Wireshark does
 * (ip.defragment / ipv6.defragment, on by default): a datagram counts once, in the frame that
 * completes it, with the ports from its first fragment. Fragment payloads are not kept — only
 * the byte ranges seen — and at most MAX_PENDING datagrams wait (oldest dropped first).
 */
import type { PacketDecoder } from './decode';

const MAX_PENDING = 4096;

interface Pending {
  ranges: number[]; // sorted, merged [start, end) pairs
  total: number; // datagram payload length, known once the last fragment arrived; -1 before
  first: { protocol: number; srcPort: number; dstPort: number; flags: number; seq: number; ack: number; headerFits: boolean } | null;
}

export class FragmentTracker {
  private readonly pending = new Map<string, Pending>();
  /** Datagrams completed so far. */
  reassembled = 0;

  /** Record the fragment the decoder holds. When it completes a TCP/UDP datagram, the
   *  decoder's L4 fields are set from the first fragment and true is returned. */
  add(decoder: PacketDecoder): boolean {
    // Wireshark reassembles only fragments whose bytes were all captured.
    if (!decoder.fragmentComplete) return false;
    const key = decoder.fragmentKey;
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= MAX_PENDING) {
        const oldest = this.pending.keys().next().value as string;
        this.pending.delete(oldest);
      }
      entry = { ranges: [], total: -1, first: null };
      this.pending.set(key, entry);
    }
    const start = decoder.fragmentOffset;
    const end = start + decoder.fragmentLength;
    if (!decoder.fragmentMore) entry.total = end;
    if (start === 0 && decoder.fragmentHasL4) {
      entry.first = {
        protocol: decoder.protocol,
        srcPort: decoder.srcPort,
        dstPort: decoder.dstPort,
        flags: decoder.tcpFlags,
        seq: decoder.tcpSeq,
        ack: decoder.tcpAck,
        headerFits: decoder.tcpHeaderFits,
      };
    }
    insertRange(entry.ranges, start, end);
    if (entry.total < 0 || entry.ranges.length !== 2 || entry.ranges[0] !== 0 || entry.ranges[1] < entry.total) return false;
    this.pending.delete(key);
    this.reassembled++;
    const first = entry.first;
    if (!first) return false; // not TCP/UDP, or its header never arrived
    decoder.protocol = first.protocol;
    decoder.srcPort = first.srcPort;
    decoder.dstPort = first.dstPort;
    decoder.tcpFlags = first.flags;
    decoder.tcpSeq = first.seq;
    decoder.tcpAck = first.ack;
    decoder.tcpHeaderFits = true;
    decoder.payloadLength = 0; // payload bytes were not kept
    return true;
  }
}

/** Add [start, end) to a sorted list of disjoint ranges, merging overlaps and neighbours. */
export function insertRange(ranges: number[], start: number, end: number): void {
  if (end <= start) return;
  let i = 0;
  while (i < ranges.length && ranges[i + 1] < start) i += 2;
  let j = i;
  while (j < ranges.length && ranges[j] <= end) {
    start = Math.min(start, ranges[j]);
    end = Math.max(end, ranges[j + 1]);
    j += 2;
  }
  ranges.splice(i, j - i, start, end);
}
