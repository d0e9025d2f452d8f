/**
 * The chat backend (backend-main, as its own process on loopback) keeps a message it wrote to a
 * connection until the receiving app acknowledges it: a connection whose app was killed can look
 * alive (its FIN dropped by the phone's firewall), and the message goes again on the next hello.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import { freePort } from '../../ops/dev-server';
import * as os from 'os';
import * as path from 'path';
import type { BackendConfig } from './backend-config';
import type { ChatWire } from './catalogue';
import { onJsonLines, writeJsonLine } from './jsonl';
import { nodeEntryArgv } from './node-entry';

let dir: string;
let backend: ChildProcess;
let port: number;


/** A chat client: its received wire messages, in order. */
async function client(account: string): Promise<{ sock: net.Socket; got: ChatWire[]; next: (type: ChatWire['type']) => Promise<ChatWire> }> {
  const sock = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  const got: ChatWire[] = [];
  const waiters: Array<() => void> = [];
  onJsonLines(sock, (v) => {
    got.push(v as ChatWire);
    for (const w of waiters.splice(0)) w();
  });
  const next = async (type: ChatWire['type']): Promise<ChatWire> => {
    const seenBefore = got.filter((m) => m.type === type).length;
    for (;;) {
      const now = got.filter((m) => m.type === type);
      if (now.length > seenBefore) return now[seenBefore];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${account}: no ${type} within 5 s (got ${JSON.stringify(got)})`)), 5000);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  writeJsonLine(sock, { type: 'hello', app: 'threema', account } satisfies ChatWire);
  await next('welcome');
  return { sock, got, next };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-backend-'));
  port = await freePort();
  const config: BackendConfig = { app: 'threema', name: 'threema-test', listen: [{ host: '127.0.0.1', port, tls: false, kind: 'chat' }], logFile: path.join(dir, 'backend.log') };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const [exe, ...args] = nodeEntryArgv(__dirname, 'backend-main');
  backend = spawn(exe, [...args, path.join(dir, 'config.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    backend.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    backend.once('exit', (code) => reject(new Error(`backend exited ${code}`)));
  });
}, 30_000);

afterAll(() => {
  backend?.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a message written to a connection that never acknowledged it goes again on the next hello; an acknowledged one does not', async () => {
  const stale = await client('b');
  const a = await client('a');
  writeJsonLine(a.sock, { type: 'msg', id: 'm1', from: 'a', to: 'b', text: 'message 1 of 10 from A', sentAt: new Date().toISOString() } satisfies ChatWire);
  expect(await a.next('ack')).toEqual({ type: 'ack', id: 'm1' });
  // The old connection gets it but its app is gone: no ack, and the socket stays open.
  expect(await stale.next('msg')).toMatchObject({ type: 'msg', id: 'm1', from: 'a', to: 'b' });
  const fresh = await client('b');
  expect(await fresh.next('msg')).toMatchObject({ type: 'msg', id: 'm1', text: 'message 1 of 10 from A' });
  writeJsonLine(fresh.sock, { type: 'ack', id: 'm1' } satisfies ChatWire);
  writeJsonLine(fresh.sock, { type: 'ping', t: 1 } satisfies ChatWire);
  await fresh.next('pong'); // the ack came first on that connection
  // Acknowledged: a later connection gets nothing again (a new message goes to it at once).
  const later = await client('b');
  writeJsonLine(a.sock, { type: 'msg', id: 'm2', from: 'a', to: 'b', text: 'message 2 of 10 from A', sentAt: new Date().toISOString() } satisfies ChatWire);
  expect(await later.next('msg')).toMatchObject({ id: 'm2' });
  expect(later.got.filter((m) => m.type === 'msg').map((m) => (m as { id: string }).id)).toEqual(['m2']);
  expect(fs.readFileSync(path.join(dir, 'backend.log'), 'utf8')).toMatch(/redeliver m1 to b/);
  for (const c of [stale, a, fresh, later]) c.sock.destroy();
});
