/**
 * DNS message parsing (RFC 1035) for what flows need: the question names and the A, AAAA and
 * CNAME answers of responses, so captured endpoints get the names the client looked up.
 * Defensive: compression loops, pointers outside the message and truncated records end the
 * parse with what was read so far (a capture can hold anything on port 53).
 */
import { formatIPv4, formatIPv6 } from '../net/ip';

export interface DnsAnswer {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME';
  /** Address text (RFC 5952 for AAAA) or the CNAME target. */
  value: string;
  ttl: number;
}

export interface DnsMessage {
  id: number;
  response: boolean;
  rcode: number;
  questions: string[];
  answers: DnsAnswer[];
}

const MAX_POINTER_JUMPS = 32;

/** Parse one DNS message in bytes[offset, offset+length); null when it is not even a header. */
export function parseDnsMessage(bytes: Buffer, offset: number, length: number): DnsMessage | null {
  if (length < 12) return null;
  const end = offset + length;
  const flags = bytes.readUInt16BE(offset + 2);
  const message: DnsMessage = {
    id: bytes.readUInt16BE(offset),
    response: (flags & 0x8000) !== 0,
    rcode: flags & 0x000f,
    questions: [],
    answers: [],
  };
  if (((flags >> 11) & 0x0f) !== 0) return message; // not a standard query/response: leave it
  const questionCount = bytes.readUInt16BE(offset + 4);
  const answerCount = bytes.readUInt16BE(offset + 6);
  let at = offset + 12;
  for (let i = 0; i < questionCount; i++) {
    const name = readName(bytes, at, offset, end);
    if (!name || name.next + 4 > end) return message;
    message.questions.push(name.text);
    at = name.next + 4;
  }
  for (let i = 0; i < answerCount; i++) {
    const name = readName(bytes, at, offset, end);
    if (!name || name.next + 10 > end) return message;
    const type = bytes.readUInt16BE(name.next);
    const klass = bytes.readUInt16BE(name.next + 2);
    const ttl = bytes.readUInt32BE(name.next + 4);
    const dataLength = bytes.readUInt16BE(name.next + 8);
    const data = name.next + 10;
    if (data + dataLength > end) return message;
    at = data + dataLength;
    if (klass !== 1) continue; // IN only (mDNS's cache-flush bit makes it 0x8001; not ours)
    if (type === 1 && dataLength === 4) {
      message.answers.push({ name: name.text, type: 'A', value: formatIPv4(bytes, data), ttl });
    } else if (type === 28 && dataLength === 16) {
      message.answers.push({ name: name.text, type: 'AAAA', value: formatIPv6(bytes, data), ttl });
    } else if (type === 5) {
      const target = readName(bytes, data, offset, end);
      if (target) message.answers.push({ name: name.text, type: 'CNAME', value: target.text, ttl });
    }
  }
  return message;
}

/** A possibly compressed domain name at `at`: its lower-case text (no trailing dot, "." for the
 *  root) and where the record continues; null when malformed. */
export function readName(bytes: Buffer, at: number, messageStart: number, end: number): { text: string; next: number } | null {
  const labels: string[] = [];
  let next = -1;
  let jumps = 0;
  let textLength = 0;
  for (;;) {
    if (at >= end) return null;
    const length = bytes[at];
    if (length === 0) {
      if (next < 0) next = at + 1;
      break;
    }
    if ((length & 0xc0) === 0xc0) {
      if (at + 1 >= end || ++jumps > MAX_POINTER_JUMPS) return null;
      if (next < 0) next = at + 2;
      at = messageStart + (((length & 0x3f) << 8) | bytes[at + 1]);
      continue;
    }
    if ((length & 0xc0) !== 0) return null; // extended label types are obsolete
    if (at + 1 + length > end) return null;
    textLength += length + 1;
    if (textLength > 255) return null;
    labels.push(labelText(bytes, at + 1, at + 1 + length));
    at += 1 + length;
  }
  return { text: labels.length === 0 ? '.' : labels.join('.'), next };
}

/** Label bytes as text: printable ASCII kept (lower-cased), anything else as \DDD like dig. */
function labelText(bytes: Buffer, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c) text += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
    else text += `\\${String(c).padStart(3, '0')}`;
  }
  return text;
}

/** What a capture's DNS responses say about one name. */
export interface DnsName {
  name: string;
  /** Addresses of the name, directly or at the end of its CNAME chain, in order of appearance. */
  addresses: string[];
  /** Direct CNAME targets. */
  cnames: string[];
  /** When the first answer for this name was seen. */
  firstSeen: string;
  /** Address of the DNS server that answered first. */
  server: string;
}

/** Collects answers from many responses and resolves CNAME chains at the end. */
export class DnsTable {
  private readonly names = new Map<string, { addresses: Set<string>; cnames: Set<string>; firstSeen: string; server: string }>();
  responses = 0;

  add(message: DnsMessage, server: string, seen: string): void {
    if (!message.response) return;
    this.responses++;
    for (const answer of message.answers) {
      let entry = this.names.get(answer.name);
      if (!entry) {
        entry = { addresses: new Set(), cnames: new Set(), firstSeen: seen, server };
        this.names.set(answer.name, entry);
      }
      if (answer.type === 'CNAME') entry.cnames.add(answer.value);
      else entry.addresses.add(answer.value);
    }
  }

  /** Every answered name with its addresses resolved through CNAME chains. */
  list(): DnsName[] {
    const result: DnsName[] = [];
    for (const [name, entry] of this.names) {
      const addresses = new Set<string>();
      const seen = new Set<string>();
      const queue = [name];
      while (queue.length > 0) {
        const current = queue.shift() as string;
        if (seen.has(current)) continue;
        seen.add(current);
        const e = this.names.get(current);
        if (!e) continue;
        for (const a of e.addresses) addresses.add(a);
        for (const c of e.cnames) queue.push(c);
      }
      result.push({ name, addresses: [...addresses], cnames: [...entry.cnames], firstSeen: entry.firstSeen, server: entry.server });
    }
    return result;
  }
}
