import { http204Response, ntpReply } from './responder';

describe('background responders', () => {
  test('SNTP reply: server mode, stratum 2, originate = client transmit, transmit = now', () => {
    const req = Buffer.alloc(48);
    req[0] = (4 << 3) | 3;
    req.writeUInt32BE(0xdeadbeef, 40);
    req.writeUInt32BE(0x12345678, 44);
    const now = Date.UTC(2015, 9, 1, 12, 0, 0, 500);
    const r = ntpReply(req, now) as Buffer;
    expect(r).toHaveLength(48);
    expect(r[0]).toBe((4 << 3) | 4);
    expect(r[1]).toBe(2);
    expect(r.readUInt32BE(24)).toBe(0xdeadbeef);
    expect(r.readUInt32BE(28)).toBe(0x12345678);
    expect(r.readUInt32BE(40)).toBe(Math.floor(now / 1000) + 2208988800);
    expect(r.readUInt32BE(44)).toBe(2 ** 31); // half a second
  });

  test('SNTP: short packets and non-client modes get no reply', () => {
    expect(ntpReply(Buffer.alloc(47), 0)).toBeNull();
    const serverMode = Buffer.alloc(48);
    serverMode[0] = (4 << 3) | 4;
    expect(ntpReply(serverMode, 0)).toBeNull();
  });

  test('connectivity check answers 204 with an empty body', () => {
    expect(http204Response()).toMatch(/^HTTP\/1\.1 204 No Content\r\n[\s\S]*Content-Length: 0\r\n[\s\S]*\r\n\r\n$/);
  });
});
