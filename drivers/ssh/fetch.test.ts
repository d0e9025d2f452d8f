import { parseRemoteSum, sumMismatch } from './fetch';

describe('exec fetch verification', () => {
  it('reads the remote size and digest line (BusyBox wc pads the count)', () => {
    expect(parseRemoteSum('480 19cfc34cdf2dcf6b9bea4266b73d5a0cfa4627610a97ba027b0757cf138da0bd\n')).toEqual({ bytes: 480, sum: '19cfc34cdf2dcf6b9bea4266b73d5a0cfa4627610a97ba027b0757cf138da0bd' });
    expect(parseRemoteSum('24 \n')).toEqual({ bytes: 24, sum: '' });
    expect(parseRemoteSum('cannot read\n')).toBeNull();
  });
  it('a match is null; size or digest differences are named with both values', () => {
    expect(sumMismatch('/r/a.pcap', { bytes: 3, sum: 'aa' }, { bytes: 3, sum: 'aa' }, 'sha256')).toBeNull();
    expect(sumMismatch('/r/a.pcap', { bytes: 3, sum: '' }, { bytes: 3, sum: 'ff' }, 'none')).toBeNull();
    expect(sumMismatch('/r/a.pcap', { bytes: 3, sum: 'aa' }, { bytes: 2, sum: 'bb' }, 'sha256')).toBe('/r/a.pcap: 3 bytes expected, 2 received, sha256 aa expected, bb received');
    expect(sumMismatch('/r/a.pcap', { bytes: 3, sum: '' }, { bytes: 4, sum: '' }, 'none')).toBe('/r/a.pcap: 3 bytes expected, 4 received');
  });
});
