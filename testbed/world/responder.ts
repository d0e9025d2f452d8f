/**
 * Background services of the emulated world (the phone's "noise"): an SNTP server, an HTTP
 * connectivity check answering 204, TCP and UDP echo. One process per background element, run
 * inside its namespace: `node responder.js <kind> <address> <port>`.
 */
import * as dgram from 'dgram';
import * as net from 'net';

const NTP_EPOCH_OFFSET = 2208988800; // seconds from 1900-01-01 to 1970-01-01

function ntpTimestamp(buf: Buffer, offset: number, ms: number): void {
  const seconds = Math.floor(ms / 1000) + NTP_EPOCH_OFFSET;
  const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
  buf.writeUInt32BE(seconds >>> 0, offset);
  buf.writeUInt32BE(fraction >>> 0, offset + 4);
}

/** SNTP (RFC 4330) server reply: stratum 2, mode 4, client's transmit time echoed as originate. */
export function ntpReply(request: Buffer, nowMs: number): Buffer | null {
  if (request.length < 48) return null;
  const mode = request[0] & 0x07;
  if (mode !== 3) return null; // only client requests
  const version = (request[0] >> 3) & 0x07;
  const reply = Buffer.alloc(48);
  reply[0] = (0 << 6) | (version << 3) | 4;
  reply[1] = 2; // stratum
  reply[2] = request[2]; // poll
  reply[3] = 0xec; // precision 2^-20
  reply.write('MTAD', 12, 'ascii'); // reference id
  ntpTimestamp(reply, 16, nowMs); // reference
  request.copy(reply, 24, 40, 48); // originate = client's transmit
  ntpTimestamp(reply, 32, nowMs); // receive
  ntpTimestamp(reply, 40, nowMs); // transmit
  return reply;
}

export function http204Response(): string {
  return 'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\nServer: matador-world\r\n\r\n';
}

function serve(kind: string, address: string, port: number): void {
  if (kind === 'ntp' || kind === 'udp-echo') {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      const out = kind === 'ntp' ? ntpReply(msg, Date.now()) : msg;
      if (out) sock.send(out, rinfo.port, rinfo.address);
    });
    sock.bind(port, address, () => process.stdout.write(`${kind} listening on ${address}:${port}\n`));
    return;
  }
  const server = net.createServer((conn) => {
    conn.on('error', () => undefined);
    if (kind === 'tcp-echo') {
      conn.pipe(conn);
      return;
    }
    let head = '';
    conn.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n') || head.length > 8192) conn.end(http204Response());
    });
  });
  server.listen(port, address, () => process.stdout.write(`${kind} listening on ${address}:${port}\n`));
}

if (require.main === module) {
  const [kind, address, portText] = process.argv.slice(2);
  const port = Number(portText);
  if (!['ntp', 'http204', 'tcp-echo', 'udp-echo'].includes(kind) || net.isIPv4(address) === false || !Number.isInteger(port)) {
    process.stderr.write(`usage: responder <ntp|http204|tcp-echo|udp-echo> <ipv4> <port> (got ${process.argv.slice(2).join(' ')})\n`);
    process.exit(2);
  }
  process.on('SIGTERM', () => process.exit(0));
  serve(kind, address, port);
}
