import { clientHello } from '../../test/capture/payloads';
import { findSni } from './tls-sni';

describe('findSni', () => {
  it('reads the host name of a ClientHello', () => {
    const hello = clientHello('Svc.MTCAP.test');
    expect(findSni(hello, 0, hello.length)).toEqual({ kind: 'sni', name: 'svc.mtcap.test' });
  });

  it('asks for more bytes until the ClientHello is complete, also across records', () => {
    const hello = clientHello('svc.mtcap.test', 20);
    for (let cut = 0; cut < hello.length; cut++) expect(findSni(hello, 0, cut).kind).toBe('need-more');
    expect(findSni(hello, 0, hello.length)).toEqual({ kind: 'sni', name: 'svc.mtcap.test' });
  });

  it('tells a ClientHello without SNI from something that is not TLS', () => {
    const hello = clientHello(null);
    expect(findSni(hello, 0, hello.length)).toEqual({ kind: 'no-sni' });
    const http = Buffer.from('GET / HTTP/1.1\r\n\r\n');
    expect(findSni(http, 0, http.length)).toEqual({ kind: 'not-tls' });
  });
});
