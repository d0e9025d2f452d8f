/**
 * One emulated messaging app: a real client process in the phone's network namespace, running
 * under the app's own Linux uid (so iptables `-m owner --uid-owner` applies to it).
 * Usage: node app-main.js <config.json>   (spawned by app-host.ts via ip netns exec + setpriv)
 *
 * It resolves the service's DNS names with the phone's resolver (WeChat: asks the HTTP DNS
 * endpoint for its long-connection address), makes the one-shot API calls, keeps the chat
 * connection open with periodic pings, reconnects with back-off, and sends/receives messages.
 * It talks to the phone (adbd side) over a unix socket: {send} in; {status, sent, received} out.
 */
import * as dns from 'dns';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as tls from 'tls';
import { onJsonLines, writeJsonLine } from '../services/jsonl';
import { serviceShape, ChatWire, ServiceEndpointShape } from '../services/catalogue';

export interface AppProcessConfig {
  app: string;
  account: string;
  controlSocket: string;
  dnsServers?: string[];
  keepAliveMs?: number;
  /** Latitude/longitude the app sees (virtual location provider). */
  location?: string | null;
}

type Outgoing = { id: string; to: string; text: string; sentAt: string };

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as AppProcessConfig;
const shape = serviceShape(config.app);
const resolver = new dns.promises.Resolver({ timeout: 3000, tries: 2 });
if (config.dnsServers?.length) resolver.setServers(config.dnsServers);

let control: net.Socket | null = null;
let chat: net.Socket | null = null;
let loggedIn = false;
const outbox: Outgoing[] = [];
const unacked = new Map<string, Outgoing>();
/** Ids already shown: federated backends may deliver one message twice (queued copy + forward). */
const receivedIds = new Set<string>();

function report(value: Record<string, unknown>): void {
  if (control) writeJsonLine(control, value);
}

function status(state: string, extra: Record<string, unknown> = {}): void {
  report({ type: 'status', state, at: new Date().toISOString(), ...extra });
}

async function resolveName(name: string): Promise<string[]> {
  try {
    const v4 = await resolver.resolve4(name);
    if (v4.length) return v4;
  } catch {
    // fall through to AAAA
  }
  return resolver.resolve6(name);
}

function httpGet(endpoint: ServiceEndpointShape, address: string, pathName: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const mod = endpoint.tls ? https : http;
    const req = mod.request(
      { host: address, port: endpoint.port, path: pathName, method: 'GET', headers: { host: endpoint.name, 'user-agent': `${shape.label}/${shape.versionName} Android/5.0.2` }, servername: endpoint.tls ? endpoint.name : undefined, rejectUnauthorized: false, timeout: 10_000 } as https.RequestOptions,
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(body));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout GET ${endpoint.name}${pathName}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Addresses of the chat endpoint: DNS, or WeChat's HTTP DNS. */
async function chatAddresses(endpoint: ServiceEndpointShape): Promise<string[]> {
  if (shape.httpDnsFor === endpoint.name) {
    const dnsEndpoint = shape.endpoints.find((e) => e.kind === 'http-dns');
    if (dnsEndpoint) {
      const [dnsAddr] = await resolveName(dnsEndpoint.name);
      const body = await httpGet(dnsEndpoint, dnsAddr, `/cgi-bin/micromsg-bin/newgetdns?uin=0&clientversion=${shape.versionCode}&scene=0&net=1`);
      const domain = new RegExp(`<domain name="${endpoint.name.replace(/\./g, '\\.')}"[^>]*>(.*?)</domain>`).exec(body);
      const ips = domain ? [...domain[1].matchAll(/<ip>([^<]+)<\/ip>/g)].map((m) => m[1]) : [];
      if (ips.length) return ips;
    }
  }
  return resolveName(endpoint.name);
}

async function apiCalls(): Promise<void> {
  for (const e of shape.endpoints.filter((x) => x.kind === 'https' || x.kind === 'http')) {
    try {
      const [addr] = await resolveName(e.name);
      await httpGet(e, addr, '/v1/config');
    } catch (err) {
      status('api-error', { endpoint: e.name, error: (err as Error).message });
    }
  }
}

let backoffMs = 1000;
let pingTimer: NodeJS.Timeout | null = null;

async function connectChat(): Promise<void> {
  const endpoint = shape.endpoints.find((e) => e.kind === 'chat');
  if (!endpoint) throw new Error(`${shape.app}: no chat endpoint`);
  status('connecting', { endpoint: endpoint.name });
  let address: string;
  try {
    [address] = await chatAddresses(endpoint);
    if (!address) throw new Error(`no address for ${endpoint.name}`);
  } catch (err) {
    status('error', { error: `resolve ${endpoint.name}: ${(err as Error).message}` });
    return scheduleReconnect();
  }
  const sock: net.Socket = endpoint.tls
    ? tls.connect({ host: address, port: endpoint.port, servername: endpoint.name, rejectUnauthorized: false })
    : net.connect({ host: address, port: endpoint.port });
  chat = sock;
  sock.setTimeout(15_000, () => sock.destroy(new Error('connect/idle timeout')));
  sock.on(endpoint.tls ? 'secureConnect' : 'connect', () => {
    sock.setTimeout(0);
    writeJsonLine(sock, { type: 'hello', app: shape.app, account: config.account } satisfies ChatWire);
  });
  onJsonLines(sock, (value) => {
    const m = value as ChatWire;
    if (m.type === 'welcome') {
      loggedIn = true;
      backoffMs = 1000;
      status('connected', { server: m.server, address, port: endpoint.port });
      pingTimer = setInterval(() => writeJsonLine(sock, { type: 'ping', t: Date.now() }), config.keepAliveMs ?? shape.keepAliveMs);
      for (const o of unacked.values()) writeJsonLine(sock, { type: 'msg', from: config.account, ...o });
      flushOutbox();
    } else if (m.type === 'ack') {
      const o = unacked.get(m.id);
      unacked.delete(m.id);
      if (o) report({ type: 'sent', id: m.id, ackedAt: new Date().toISOString() });
    } else if (m.type === 'msg') {
      writeJsonLine(sock, { type: 'ack', id: m.id });
      if (receivedIds.has(m.id)) return;
      receivedIds.add(m.id);
      report({ type: 'received', id: m.id, from: m.from, text: m.text, sentAt: m.sentAt, receivedAt: new Date().toISOString() });
    }
  });
  sock.on('error', (err) => status('error', { error: err.message, address }));
  sock.on('close', () => {
    loggedIn = false;
    if (pingTimer) clearInterval(pingTimer);
    pingTimer = null;
    if (chat === sock) chat = null;
    scheduleReconnect();
  });
}

let reconnectTimer: NodeJS.Timeout | null = null;
function scheduleReconnect(): void {
  if (reconnectTimer) return;
  reconnectTimer = setTimeout(() => {
    reconnectTimer = null;
    void connectChat();
  }, backoffMs);
  backoffMs = Math.min(backoffMs * 2, 30_000);
}

function flushOutbox(): void {
  while (chat && loggedIn && outbox.length) {
    const o = outbox.shift() as Outgoing;
    unacked.set(o.id, o);
    writeJsonLine(chat, { type: 'msg', from: config.account, ...o } satisfies ChatWire);
  }
}

function main(): void {
  control = net.connect(config.controlSocket);
  control.on('connect', () => {
    writeJsonLine(control as net.Socket, { type: 'register', app: shape.app, pid: process.pid, uid: process.getuid?.() });
    void apiCalls().then(() => connectChat());
  });
  control.on('error', () => process.exit(0));
  control.on('close', () => process.exit(0));
  onJsonLines(control, (value) => {
    const m = value as { type: string } & Partial<Outgoing>;
    if (m.type === 'send' && m.id && m.to && typeof m.text === 'string' && m.sentAt) {
      outbox.push({ id: m.id, to: m.to, text: m.text, sentAt: m.sentAt });
      flushOutbox();
    }
  });
  process.on('SIGTERM', () => process.exit(0));
}

main();
