// Servers for the capture tests (run inside the mtcap-*-b namespace by real-traffic.test.ts):
// TCP echo on 8080 that closes first, UDP echo on 9000, a TLS "server" on 8443 that reads the
// ClientHello and drops the connection. Prints "ready" when all listen.
'use strict';
const net = require('net');
const dgram = require('dgram');

let pending = 4;
const ready = () => {
  if (--pending === 0) process.stdout.write('ready\n');
};

net
  .createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (data) => socket.end(`echo ${data}`)); // server sends FIN first
  })
  .listen({ port: 8080, host: '::' }, ready);

net
  .createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => setTimeout(() => socket.destroy(), 50));
  })
  .listen({ port: 8443, host: '::' }, ready);

for (const type of ['udp4', 'udp6']) {
  const udp = dgram.createSocket(type);
  udp.on('message', (msg, rinfo) => udp.send(Buffer.concat([Buffer.from('echo '), msg]), rinfo.port, rinfo.address));
  udp.bind(9000, type === 'udp4' ? '198.19.200.2' : '2001:db8:c0::2', ready);
}
process.on('SIGTERM', () => process.exit(0));
