/** Hand-built application payloads (DNS response, TLS ClientHello) for capture tests. */

/** A response for svc.mtcap.test: CNAME to edge.mtcap.test (compressed), A and AAAA of edge. */
export function dnsResponse(id = 0x1234): Buffer {
  const header = Buffer.concat([u16(id), Buffer.from('8180' + '0001' + '0003' + '0000' + '0000', 'hex')]);
  const qname = Buffer.from('\x03svc\x05MTCAP\x04test\x00', 'latin1'); // at offset 12, mixed case
  const question = Buffer.concat([qname, Buffer.from('00010001', 'hex')]);
  const cnameTarget = Buffer.from('\x04edge\xc0\x10', 'latin1'); // "edge" + pointer to "mtcap.test" (offset 16)
  const cname = Buffer.concat([Buffer.from('c00c' + '0005' + '0001' + '0000003c', 'hex'), Buffer.from([0, cnameTarget.length]), cnameTarget]);
  const edgeOffset = 12 + question.length + 12; // where "edge" label starts in the CNAME rdata
  const pointer = Buffer.from([0xc0, edgeOffset]);
  const a = Buffer.concat([pointer, Buffer.from('0001' + '0001' + '0000003c' + '0004' + 'c613c832', 'hex')]);
  const aaaa = Buffer.concat([pointer, Buffer.from('001c' + '0001' + '0000003c' + '0010' + '20010db800c000000000000000000050', 'hex')]);
  return Buffer.concat([header, question, cname, a, aaaa]);
}

/** A minimal TLS 1.2-style ClientHello with server_name `name`, optionally split into records
 *  of at most `recordSize` handshake bytes. */
export function clientHello(name: string | null, recordSize = 16384): Buffer {
  const extensions: Buffer[] = [Buffer.from('ff01000100', 'hex')]; // renegotiation_info first
  if (name !== null) {
    const host = Buffer.from(name, 'latin1');
    const entry = Buffer.concat([Buffer.from([0]), u16(host.length), host]);
    const list = Buffer.concat([u16(entry.length), entry]);
    extensions.push(Buffer.concat([u16(0), u16(list.length), list]));
  }
  const ext = Buffer.concat(extensions);
  const body = Buffer.concat([
    Buffer.from('0303', 'hex'),
    Buffer.alloc(32, 7), // random
    Buffer.from([0]), // session id
    u16(4),
    Buffer.from('c02fc030', 'hex'),
    Buffer.from([1, 0]), // compression: null
    u16(ext.length),
    ext,
  ]);
  const handshake = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  const records: Buffer[] = [];
  for (let at = 0; at < handshake.length; at += recordSize) {
    const part = handshake.subarray(at, at + recordSize);
    records.push(Buffer.concat([Buffer.from([22, 3, 1]), u16(part.length), part]));
  }
  return Buffer.concat(records);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

