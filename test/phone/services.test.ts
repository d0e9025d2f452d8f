/**
 * Service emulators: WeChat with two server instances whose HTTP DNS sends each phone to a
 * different one (region-dependent answers) and federation between them; a message typed with
 * the WeChat UI steps of configs/apps travels phone A -> instance 1 -> instance 2 -> phone B.
 * Also: plain TCP and TLS share one port (WhatsApp 443) and both work.
 */
import { execFile, spawn } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as path from 'path';
import { PhoneDriver } from '../../drivers/phone';
import { loadAppFile } from '../../lib/config/load';
import { configsDir } from '../../lib/project-paths';
import { startServiceBackend, stopChild } from '../../testbed/services';
import type { VirtualPhone } from '../../testbed/phone';
import { nsExec } from '../../testbed/phone/netns';
import { ADDR, createMiniWorld, MiniWorld, waitFor } from './mini-world';

const execFileAsync = promisify(execFile);
let world: MiniWorld;
let phoneA: VirtualPhone;
let phoneB: VirtualPhone;
const drivers: PhoneDriver[] = [];
const FED_PORT = 7443;

beforeAll(async () => {
  await execFileAsync('adb', ['start-server'], { timeout: 30_000 });
  world = await createMiniWorld('svc', { backends: false });
  const httpDns = [
    {
      name: 'long.weixin.qq.com',
      answers: [
        { clientPrefix: `${ADDR.phoneA}/32`, addresses: [ADDR.wechatLong] },
        { clientPrefix: `${ADDR.phoneB}/32`, addresses: [ADDR.wechatLong2] },
        { addresses: ['198.19.210.99'] },
      ],
    },
  ];
  const dir = path.join(world.stateDir, 'backends');
  world.backends.push(
    await startServiceBackend({
      app: 'wechat',
      netns: world.ns.svc,
      name: 'wechat-one',
      stateDir: path.join(dir, 'one'),
      listen: [
        { host: ADDR.wechatDns, port: 80, tls: false, kind: 'http-dns' },
        { host: ADDR.wechatLong, port: 8080, tls: false, kind: 'chat' },
      ],
      httpDns,
      federation: { listen: { host: ADDR.wechatLong, port: FED_PORT }, peers: [{ host: ADDR.wechatLong2, port: FED_PORT }] },
    }),
    await startServiceBackend({
      app: 'wechat',
      netns: world.ns.svc,
      name: 'wechat-two',
      stateDir: path.join(dir, 'two'),
      listen: [{ host: ADDR.wechatLong2, port: 8080, tls: false, kind: 'chat' }],
      federation: { listen: { host: ADDR.wechatLong2, port: FED_PORT }, peers: [{ host: ADDR.wechatLong, port: FED_PORT }] },
    }),
    await startServiceBackend({ app: 'whatsapp', netns: world.ns.svc, addresses: [ADDR.whatsapp], stateDir: path.join(dir, 'whatsapp') }),
    await startServiceBackend({ app: 'textsecure', netns: world.ns.svc, addresses: [ADDR.textsecure], stateDir: path.join(dir, 'textsecure') }),
  );
  phoneA = await world.startPhone({ name: 'mtph-svc-a', netns: world.ns.phoneA, adbPort: 5751, apps: ['wechat', 'textsecure'], peer: 'mtph-svc-b', peerName: 'MATAdOR B', keepAliveMs: 500 });
  phoneB = await world.startPhone({ name: 'mtph-svc-b', netns: world.ns.phoneB, adbPort: 5752, apps: ['wechat'], peer: 'mtph-svc-a', peerName: 'MATAdOR A' });
  for (const p of [phoneA, phoneB]) {
    const d = new PhoneDriver({ serial: p.serial });
    drivers.push(d);
    const c = await d.connect();
    if (!c.ok) throw new Error(`connect ${p.serial}: ${c.detail}`);
  }
}, 120_000);

afterAll(async () => {
  for (const d of drivers) await d.disconnect();
  await world?.destroy();
}, 60_000);

test('region-dependent HTTP DNS sends each phone to its own WeChat instance', async () => {
  const a = await waitFor('A connected', () => (phoneA.appStatus('wechat')?.state === 'connected' ? phoneA.appStatus('wechat') : null));
  const b = await waitFor('B connected', () => (phoneB.appStatus('wechat')?.state === 'connected' ? phoneB.appStatus('wechat') : null));
  expect(a).toMatchObject({ server: 'wechat-one', address: ADDR.wechatLong, port: 8080 });
  expect(b).toMatchObject({ server: 'wechat-two', address: ADDR.wechatLong2, port: 8080 });
});

test('a message crosses the federated instances, typed with the WeChat UI steps', async () => {
  const app = loadAppFile(path.join(configsDir, 'apps', 'wechat.yaml'));
  const [a, b] = drivers;
  for (const [d, side, peer] of [[a, 'A', 'B'], [b, 'B', 'A']] as const) {
    expect(await d.runUiSteps(app.ui.openChat.filter((s) => s.action !== 'wait'), { packageName: app.android.package, vars: { side, peer } })).toMatchObject({ ok: true });
  }
  const text = 'hello from one instance to the other: "quotes" \'single\' ; && | $(id)';
  const sent = await a.runUiSteps(app.ui.sendMessage.filter((s) => s.action !== 'wait'), { packageName: app.android.package, vars: { message: text, index: 0, side: 'A', peer: 'B' } });
  expect(sent).toMatchObject({ ok: true });
  // B's open chat shows it (what the driver reads), the phones' in-process records say how.
  await waitFor('message on B\'s screen', async () => {
    const l = await b.look({ notifications: false });
    return l.ok && l.look.elements?.some((e) => e.resourceId === 'com.tencent.mm:id/chatting_content_itv' && e.text === text) ? true : null;
  });
  const got = phoneB.messages().find((x) => x.direction === 'in' && x.text === text);
  expect(got).toMatchObject({ app: 'wechat', peer: 'mtph-svc-a' });
  const acked = await waitFor('ack at A', () => phoneA.messages().find((x) => x.direction === 'out' && x.text === text && x.ackedAt) ?? null);
  expect(acked.ackedAt).toBeTruthy();
  if (!got) throw new Error('no message at B');
  const logOne = fs.readFileSync(world.backends[0].logFile, 'utf8');
  const logTwo = fs.readFileSync(world.backends[1].logFile, 'utf8');
  expect(logOne).toContain(`queue ${got.id} for mtph-svc-b`);
  expect(logTwo).toContain(`deliver ${got.id} mtph-svc-a -> mtph-svc-b`);
});

test('connected apps send keep-alive pings (background traffic)', async () => {
  const logOne = world.backends[0].logFile;
  await waitFor('a keep-alive from phone A at WeChat instance one', () => fs.readFileSync(logOne, 'utf8').includes('keep-alive from mtph-svc-a'));
  await waitFor('a keep-alive from phone A at TextSecure', () => fs.readFileSync(world.backends[3].logFile, 'utf8').includes('keep-alive from mtph-svc-a'));
});

test('FunXMPP-style plaintext and HTTPS share WhatsApp port 443', async () => {
  const plain = await nsExec(world.ns.phoneA, ['node', '-e',
    `const s=require('net').connect(443,'${ADDR.whatsapp}',()=>s.write(JSON.stringify({type:'hello',app:'whatsapp',account:'probe'})+'\\n'));s.setTimeout(5000,()=>process.exit(2));s.on('data',d=>{process.stdout.write(d);process.exit(0)})`]);
  expect(JSON.parse(plain.stdout.trim())).toEqual({ type: 'welcome', server: expect.stringContaining('whatsapp') });
  const https = await nsExec(world.ns.phoneA, ['node', '-e',
    `require('https').get({host:'${ADDR.whatsapp}',port:443,path:'/v1/config',servername:'v.whatsapp.net',rejectUnauthorized:false},r=>{const cn=r.socket.getPeerCertificate().subject.CN;let b='';r.on('data',d=>b+=d);r.on('end',()=>{console.log(r.statusCode+' '+cn+' '+b)})}).on('error',e=>{console.log(e.message);process.exit(1)})`]);
  expect(https.stdout).toMatch(/^200 c\.whatsapp\.net \{"server":/);
});

test('on the wire: the app uid resolves through the LAN resolver, TLS carries the service SNI, WeChat asks its HTTP DNS', async () => {
  const capture = path.join(world.stateDir, 'phone-a.pcap');
  // --immediate-mode: without it packets still in the kernel ring block are lost at SIGTERM
  const tcpdump = spawn('ip', ['netns', 'exec', world.ns.phoneA, 'tcpdump', '-i', 'wlan0', '--immediate-mode', '-U', '-n', '-w', capture], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await waitFor('tcpdump listening', () => new Promise<boolean>((resolve) => tcpdump.stderr.once('data', () => resolve(true))));
    const [a] = drivers;
    for (const pkg of ['org.thoughtcrime.securesms', 'com.tencent.mm']) {
      expect(await a.stopApp(pkg)).toMatchObject({ ok: true });
      expect(await a.startApp(pkg)).toEqual({ ok: true });
    }
    await waitFor('both apps connected again', () => phoneA.appStatus('textsecure')?.state === 'connected' && phoneA.appStatus('wechat')?.state === 'connected');
  } finally {
    await stopChild(tcpdump);
  }

  const { stdout } = await execFileAsync('tshark', ['-r', capture, '-T', 'fields', '-E', 'separator=|', '-e', 'ip.dst', '-e', 'dns.qry.name', '-e', 'tls.handshake.extensions_server_name', '-e', 'http.request.uri'], { maxBuffer: 16 * 1024 * 1024 });
  const rows = stdout.split('\n').filter(Boolean).map((l) => l.split('|'));
  expect(rows).toContainEqual(['198.19.210.1', 'textsecure-service.whispersystems.org', '', '']);
  expect(rows).toContainEqual([ADDR.textsecure, '', 'textsecure-service.whispersystems.org', '']);
  expect(rows.some((r) => r[0] === ADDR.wechatDns && r[3].startsWith('/cgi-bin/micromsg-bin/newgetdns'))).toBe(true);
});
