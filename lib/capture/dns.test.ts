import { dnsResponse } from '../../test/capture/payloads';
import { DnsTable, parseDnsMessage } from './dns';

describe('parseDnsMessage', () => {
  it('reads questions and A/AAAA/CNAME answers through compression pointers', () => {
    const message = parseDnsMessage(dnsResponse(), 0, dnsResponse().length);
    expect(message).toEqual({
      id: 0x1234,
      response: true,
      rcode: 0,
      questions: ['svc.mtcap.test'],
      answers: [
        { name: 'svc.mtcap.test', type: 'CNAME', value: 'edge.mtcap.test', ttl: 60 },
        { name: 'edge.mtcap.test', type: 'A', value: '198.19.200.50', ttl: 60 },
        { name: 'edge.mtcap.test', type: 'AAAA', value: '2001:db8:c0::50', ttl: 60 },
      ],
    });
  });

  it('survives a compression loop and truncation', () => {
    const looping = Buffer.from('0000' + '8180' + '0001' + '0000' + '0000' + '0000' + 'c00c' + '00010001', 'hex');
    expect(parseDnsMessage(looping, 0, looping.length)?.questions).toEqual([]);
    const full = dnsResponse();
    for (let cut = 0; cut < full.length; cut++) expect(() => parseDnsMessage(full, 0, cut)).not.toThrow();
    expect(parseDnsMessage(full, 0, 11)).toBeNull();
  });
});

describe('DnsTable', () => {
  it('resolves names through CNAME chains', () => {
    const table = new DnsTable();
    const message = parseDnsMessage(dnsResponse(), 0, dnsResponse().length);
    if (!message) throw new Error('no message');
    table.add(message, '198.19.200.2', '2026-11-27T04:00:00.000000Z');
    expect(table.list()).toEqual([
      { name: 'svc.mtcap.test', addresses: ['198.19.200.50', '2001:db8:c0::50'], cnames: ['edge.mtcap.test'], firstSeen: '2026-11-27T04:00:00.000000Z', server: '198.19.200.2' },
      { name: 'edge.mtcap.test', addresses: ['198.19.200.50', '2001:db8:c0::50'], cnames: [], firstSeen: '2026-11-27T04:00:00.000000Z', server: '198.19.200.2' },
    ]);
  });
});
