/**
 * The server name (SNI) of a TLS ClientHello, read from the first bytes a client sends on a
 * TCP connection. The ClientHello may span several TLS records and TCP segments; the caller
 * hands the in-order stream prefix and asks again when more arrives.
 */

export type SniResult =
  | { kind: 'sni'; name: string }
  | { kind: 'no-sni' } // a complete ClientHello without a host_name
  | { kind: 'not-tls' }
  | { kind: 'need-more'; bytes: number }; // at least this many stream bytes are needed

/** Largest ClientHello we wait for (TLS allows 2^24, real ones stay far below). */
export const MAX_CLIENT_HELLO = 64 * 1024;

export function findSni(stream: Buffer, offset: number, length: number): SniResult {
  const end = offset + length;
  const parts: Buffer[] = [];
  let have = 0;
  let needed = -1; // handshake bytes needed once the handshake header is known
  let at = offset;
  for (;;) {
    if (needed >= 0 && have >= needed) break;
    if (end - at < 5) return { kind: 'need-more', bytes: at - offset + 5 };
    if (stream[at] !== 22 || stream[at + 1] !== 3) return { kind: 'not-tls' };
    const recordLength = stream.readUInt16BE(at + 3);
    if (recordLength === 0 || recordLength > 18432) return { kind: 'not-tls' };
    const available = Math.min(recordLength, end - at - 5);
    parts.push(stream.subarray(at + 5, at + 5 + available));
    have += available;
    if (needed < 0 && have >= 4) {
      const head = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      if (head[0] !== 1) return { kind: 'not-tls' }; // a handshake, but not a ClientHello
      needed = 4 + head.readUIntBE(1, 3);
      if (needed > MAX_CLIENT_HELLO) return { kind: 'not-tls' };
    }
    if (available < recordLength) {
      if (needed >= 0 && have >= needed) break;
      return { kind: 'need-more', bytes: at - offset + 5 + recordLength };
    }
    at += 5 + recordLength;
  }
  const hello = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  return parseClientHello(hello.subarray(4, needed));
}

function parseClientHello(body: Buffer): SniResult {
  let at = 2 + 32; // client_version, random
  if (body.length < at + 1) return { kind: 'not-tls' };
  at += 1 + body[at]; // session id
  if (body.length < at + 2) return { kind: 'not-tls' };
  at += 2 + body.readUInt16BE(at); // cipher suites
  if (body.length < at + 1) return { kind: 'not-tls' };
  at += 1 + body[at]; // compression methods
  if (body.length < at + 2) return { kind: 'no-sni' }; // no extensions at all
  const extensionsEnd = Math.min(body.length, at + 2 + body.readUInt16BE(at));
  at += 2;
  while (at + 4 <= extensionsEnd) {
    const type = body.readUInt16BE(at);
    const length = body.readUInt16BE(at + 2);
    const data = at + 4;
    if (data + length > extensionsEnd) break;
    if (type === 0) {
      // server_name_list: u16 length, then (u8 type, u16 length, name)*
      let entry = data + 2;
      const listEnd = Math.min(data + length, data + 2 + (length >= 2 ? body.readUInt16BE(data) : 0));
      while (entry + 3 <= listEnd) {
        const nameType = body[entry];
        const nameLength = body.readUInt16BE(entry + 1);
        if (entry + 3 + nameLength > listEnd) break;
        if (nameType === 0) return { kind: 'sni', name: body.toString('latin1', entry + 3, entry + 3 + nameLength).toLowerCase() };
        entry += 3 + nameLength;
      }
      return { kind: 'no-sni' };
    }
    at = data + length;
  }
  return { kind: 'no-sni' };
}
