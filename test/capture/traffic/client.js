// Client traffic for the capture tests (run inside the mtcap-*-a namespace): sequential TCP
// connections from one fixed source port (FIN and RST closes), IPv6 likewise, UDP exchanges
// from fixed ports, DNS over UDP and TCP, and a TLS ClientHello with SNI. Prints a summary.
'use strict';
const net = require('net');
const dgram = require('dgram');
const tls = require('tls');
const dns = require('dns');

const B4 = '198.19.200.2';
const B6 = '2001:db8:c0::2';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function tcpOnce(host, localPort, text, close) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise((resolve, reject) => {
        const socket = net.connect({ host, port: 8080, localPort });
        socket.on('error', reject);
        socket.on('connect', () => socket.write(text));
        let reply = '';
        socket.on('data', (d) => {
          reply += d;
          if (close === 'rst') {
            socket.resetAndDestroy();
            resolve(reply);
          }
        });
        socket.on('end', () => {
          socket.end();
          resolve(reply);
        });
      });
    } catch (err) {
      if (attempt >= 20 || err.code !== 'EADDRINUSE') throw err;
      await sleep(100);
    }
  }
}

async function udpExchange(type, host, localPort, count) {
  const socket = dgram.createSocket(type);
  await new Promise((r) => socket.bind(localPort, r));
  const replies = [];
  socket.on('message', (m) => replies.push(String(m)));
  for (let i = 0; i < count; i++) {
    socket.send(`datagram ${i}`, 9000, host);
    await sleep(30);
  }
  await sleep(100);
  socket.close();
  return replies.length;
}

function dnsOverTcp(name, type) {
  return new Promise((resolve, reject) => {
    const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
    const query = Buffer.concat([Buffer.from([0x42, 0x42, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, type, 0, 1])]);
    const framed = Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query]);
    const socket = net.connect({ host: B4, port: 53 }, () => socket.write(framed));
    let got = Buffer.alloc(0);
    socket.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        socket.end();
        resolve(got.length);
      }
    });
    socket.on('error', reject);
  });
}

async function main() {
  const summary = {};
  summary.tcp4 = [];
  summary.tcp4.push(await tcpOnce(B4, 40000, 'first', 'fin'));
  await sleep(100);
  summary.tcp4.push(await tcpOnce(B4, 40000, 'second', 'rst'));
  await sleep(100);
  summary.tcp4.push(await tcpOnce(B4, 40000, 'third', 'fin'));
  await sleep(100);
  summary.tcp6 = [];
  summary.tcp6.push(await tcpOnce(B6, 40001, 'six-a', 'rst'));
  await sleep(100);
  summary.tcp6.push(await tcpOnce(B6, 40001, 'six-b', 'fin'));
  summary.udp4 = await udpExchange('udp4', B4, 41000, 3);
  summary.udp6 = await udpExchange('udp6', B6, 41001, 2);
  const resolver = new dns.promises.Resolver();
  resolver.setServers([B4]);
  summary.dnsUdp = await resolver.resolve4('alias.mtcap.test');
  summary.dnsTcp = await dnsOverTcp('svc.mtcap.test', 28);
  summary.tls = await new Promise((resolve) => {
    const socket = tls.connect({ host: B4, port: 8443, servername: 'svc.mtcap.test', rejectUnauthorized: false });
    socket.on('error', (err) => resolve(err.code || 'closed'));
    socket.on('close', () => resolve('closed'));
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((err) => {
  process.stderr.write(`client failed: ${err.stack}\n`);
  process.exit(1);
});
