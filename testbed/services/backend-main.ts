/**
 * Service emulator process: runs inside a backend network namespace (spawned through
 * `ip netns exec` by startServiceBackend) and serves every listener of one BackendConfig.
 * Usage: node backend-main.js <config.json>. Prints one line `ready` when all listeners are up.
 *
 * - chat: JSON-lines relay (hello/ping/msg/ack). A message to an account that is not connected
 *   here is queued and, when federation peers are configured, forwarded to them once. A message
 *   written to a connection stays with the server until the receiving app acknowledges it, as
 *   messengers' servers keep it until the delivery receipt: a connection whose app was killed
 *   can look alive for minutes (its FIN or RST dropped by the phone's firewall), and what was
 *   written to it is sent again when the account says hello on a new one.
 * - https/http: answers every request with a small JSON body (the app's API call at start).
 * - http-dns: WeChat's newgetdns: the addresses answered depend on the client's source address.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as tls from 'tls';
import { Duplex } from 'stream';
import { onJsonLines, writeJsonLine } from './jsonl';
import type { BackendConfig, BackendListen } from './backend-config';
import type { ChatWire } from './catalogue';

type ChatMsg = Extract<ChatWire, { type: 'msg' }>;

function log(config: BackendConfig, line: string): void {
  if (config.logFile) fs.appendFileSync(config.logFile, `${new Date().toISOString()} ${line}\n`);
}

function main(): void {
  const configPath = process.argv[2];
  if (!configPath) throw new Error('usage: backend-main <config.json>');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as BackendConfig;
  process.on('uncaughtException', (err) => {
    log(config, `fatal: ${err.stack ?? err.message}`);
    process.exit(1);
  });
  const tlsOptions = config.tls ? { cert: fs.readFileSync(config.tls.certFile), key: fs.readFileSync(config.tls.keyFile) } : undefined;

  const online = new Map<string, net.Socket>();
  const queued = new Map<string, ChatMsg[]>();
  /** Written to the account's connection, not yet acknowledged by its app (by account, by id). */
  const unacked = new Map<string, Map<string, ChatMsg>>();
  const seen = new Set<string>();

  function deliver(msg: ChatMsg, fromPeer: boolean): void {
    const sock = online.get(msg.to);
    if (sock && writeJsonLine(sock, msg) !== false) {
      const mine = unacked.get(msg.to) ?? new Map<string, ChatMsg>();
      mine.set(msg.id, msg);
      unacked.set(msg.to, mine);
      log(config, `deliver ${msg.id} ${msg.from} -> ${msg.to}`);
      return;
    }
    const q = queued.get(msg.to) ?? [];
    q.push(msg);
    queued.set(msg.to, q);
    log(config, `queue ${msg.id} for ${msg.to}`);
    if (!fromPeer) for (const peer of config.federation?.peers ?? []) forward(peer, msg);
  }

  function forward(peer: { host: string; port: number }, msg: ChatMsg): void {
    const sock = net.connect({ host: peer.host, port: peer.port });
    sock.on('connect', () => {
      writeJsonLine(sock, msg);
      sock.end();
    });
    sock.on('error', (err) => log(config, `federation to ${peer.host}:${peer.port} failed: ${err.message}`));
    sock.setTimeout(10_000, () => sock.destroy());
  }

  function chatConnection(sock: net.Socket): void {
    let account: string | null = null;
    let pings = 0;
    sock.setKeepAlive(true, 30_000);
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (account && online.get(account) === sock) online.delete(account);
      if (account) log(config, `closed ${account} after ${pings} keep-alive pings`);
    });
    onJsonLines(sock, (value) => {
      const m = value as ChatWire;
      if (m.type === 'hello') {
        account = m.account;
        online.set(account, sock);
        writeJsonLine(sock, { type: 'welcome', server: config.name });
        log(config, `hello ${account} from ${sock.remoteAddress}`);
        // What an earlier connection was given but never acknowledged, then what waited.
        const again = [...(unacked.get(account)?.values() ?? [])];
        if (again.length > 0) log(config, `redeliver ${again.map((p) => p.id).join(' ')} to ${account}`);
        const pending = [...again, ...(queued.get(account) ?? [])];
        queued.delete(account);
        unacked.delete(account);
        for (const p of pending) deliver(p, true);
      } else if (m.type === 'ack') {
        if (account) unacked.get(account)?.delete(m.id);
      } else if (m.type === 'ping') {
        // Log the first keep-alive of a connection only: the world runs for hours.
        if (pings++ === 0) log(config, `keep-alive from ${account ?? '?'}`);
        writeJsonLine(sock, { type: 'pong', t: m.t });
      } else if (m.type === 'msg') {
        if (!account) {
          writeJsonLine(sock, { type: 'error', message: 'not logged in' });
          return;
        }
        writeJsonLine(sock, { type: 'ack', id: m.id });
        if (seen.has(m.id)) return;
        seen.add(m.id);
        deliver({ ...m, from: account }, false);
      }
    });
  }

  function federationConnection(sock: net.Socket): void {
    sock.on('error', () => undefined);
    onJsonLines(sock, (value) => {
      const m = value as ChatWire;
      if (m.type !== 'msg' || seen.has(m.id)) return;
      seen.add(m.id);
      deliver(m, true);
    });
  }

  function httpHandler(listen: BackendListen): http.RequestListener {
    return (req, res) => {
      const client = req.socket.remoteAddress ?? '';
      log(config, `${listen.kind} ${req.method} ${req.url} from ${client}`);
      if (listen.kind === 'http-dns') {
        const url = new URL(req.url ?? '/', 'http://x');
        if (!url.pathname.endsWith('/newgetdns')) {
          res.writeHead(404).end();
          return;
        }
        const xml = (config.httpDns ?? [])
          .map((d) => {
            const addrs = pickAnswer(d.answers, client);
            return `<domain name="${d.name}" timeout="1800">${addrs.map((a) => `<ip>${a}</ip>`).join('')}</domain>`;
          })
          .join('');
        res.writeHead(200, { 'content-type': 'text/xml' }).end(`<dns><domainlist>${xml}</domainlist></dns>`);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ server: config.name, ok: true }));
    };
  }

  // One TCP listener per address:port. Several kinds may share a port (WhatsApp: FunXMPP and
  // HTTPS both on 443): the first byte decides (0x16 = TLS ClientHello, else plaintext).
  // TLS is terminated here on a stream wrapper (tls.Server would read the socket's handle
  // directly and miss the sniffed first bytes); the plaintext side then goes to the handler.
  const secureContext = tlsOptions ? tls.createSecureContext(tlsOptions) : null;
  const groups = new Map<string, BackendListen[]>();
  for (const l of config.listen) {
    const key = `${l.host}|${l.port}`;
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  const handlers = new Map<BackendListen, (sock: net.Socket) => void>();
  for (const l of config.listen) {
    if (l.tls && !secureContext) throw new Error(`listener ${l.host}:${l.port} wants TLS but the config has no certificate`);
    if (l.kind === 'chat') handlers.set(l, chatConnection);
    else {
      const server = http.createServer(httpHandler(l));
      handlers.set(l, (sock) => server.emit('connection', sock));
    }
  }
  const terminateTls = (raw: net.Socket, first: Buffer): tls.TLSSocket => {
    const wrapper = new Duplex({
      read: () => {
        raw.resume();
      },
      write: (chunk: Buffer, _enc, cb) => {
        raw.write(chunk, cb);
      },
      final: (cb) => {
        raw.end();
        cb();
      },
      destroy: (err, cb) => {
        raw.destroy();
        cb(err);
      },
    });
    raw.on('data', (d: Buffer) => {
      if (!wrapper.push(d)) raw.pause();
    });
    raw.on('end', () => wrapper.push(null));
    raw.on('close', () => wrapper.destroy());
    wrapper.push(first);
    const sock = new tls.TLSSocket(wrapper as unknown as net.Socket, { isServer: true, secureContext: secureContext as tls.SecureContext });
    sock.on('error', () => raw.destroy());
    return sock;
  };
  const servers: Array<{ server: net.Server; host: string; port: number }> = [];
  for (const group of groups.values()) {
    const tlsSide = group.filter((l) => l.tls);
    const plainSide = group.filter((l) => !l.tls);
    if (tlsSide.length > 1 || plainSide.length > 1) {
      throw new Error(`${group[0].host}:${group[0].port}: more than one ${tlsSide.length > 1 ? 'TLS' : 'plaintext'} service on one port`);
    }
    const server = net.createServer((sock) => {
      sock.on('error', () => undefined);
      sock.once('data', (first: Buffer) => {
        sock.pause();
        const l = first[0] === 0x16 ? tlsSide[0] ?? plainSide[0] : plainSide[0] ?? tlsSide[0];
        const handler = handlers.get(l) as (s: net.Socket) => void;
        if (l.tls) {
          handler(terminateTls(sock, first));
        } else {
          sock.unshift(first);
          handler(sock);
          sock.resume();
        }
      });
    });
    servers.push({ server, host: group[0].host, port: group[0].port });
  }
  const fed = config.federation?.listen;
  if (fed) servers.push({ server: net.createServer(federationConnection), host: fed.host, port: fed.port });
  let pending = servers.length;
  for (const { server, host, port } of servers) {
    server.on('error', (err) => {
      process.stderr.write(`listen ${host}:${port} failed: ${err.message}\n`);
      process.exit(1);
    });
    server.listen({ host, port }, () => {
      if (--pending === 0) process.stdout.write('ready\n');
    });
  }
  process.on('SIGTERM', () => process.exit(0));
}

function pickAnswer(answers: Array<{ clientPrefix?: string; addresses: string[] }>, client: string): string[] {
  const plain = client.replace(/^::ffff:/, '');
  for (const a of answers) {
    if (!a.clientPrefix) continue;
    const [prefix, len] = a.clientPrefix.split('/');
    const list = new net.BlockList();
    const family = net.isIPv6(prefix) ? 'ipv6' : 'ipv4';
    list.addSubnet(prefix, Number(len), family);
    if (net.isIP(plain) && list.check(plain, net.isIPv6(plain) ? 'ipv6' : 'ipv4')) return a.addresses;
  }
  return answers.find((a) => !a.clientPrefix)?.addresses ?? [];
}

main();
