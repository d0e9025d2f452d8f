/**
 * A small emulated world for the phone tests (namespace prefix `mtph-`, 198.19.210.0/24 and
 * 2001:db8:d0::/64): a LAN namespace with a bridge and a dnsmasq resolver, two phone
 * namespaces (interface wlan0), one service namespace with the backends.
 * Everything is torn down by `destroy()`, also after partial setup.
 */
import { execFile, spawn, ChildProcess } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startServiceBackend, ServiceBackend, stopChild } from '../../testbed/services';
import { startVirtualPhone, VirtualPhone, StartVirtualPhoneOptions } from '../../testbed/phone';
import { PhoneDriver } from '../../drivers/phone';
import { nsExec } from '../../testbed/phone/netns';

const execFileAsync = promisify(execFile);

export async function ip(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('ip', args, { timeout: 15_000 });
  return stdout;
}

export const LAN_V4 = '198.19.210.1';
export const ADDR = {
  phoneA: '198.19.210.11',
  phoneB: '198.19.210.12',
  textsecure: '198.19.210.21',
  threema: '198.19.210.22',
  whatsapp: '198.19.210.23',
  wechatDns: '198.19.210.24',
  wechatLong: '198.19.210.25', // only the HTTP DNS answers this one
  wechatLong2: '198.19.210.26', // second WeChat instance (services test)
};

export interface MiniWorld {
  tag: string;
  ns: { lan: string; phoneA: string; phoneB: string; svc: string };
  stateDir: string;
  phones: VirtualPhone[];
  backends: ServiceBackend[];
  startPhone(opts: Omit<StartVirtualPhoneOptions, 'stateDir' | 'dnsServers'> & { stateDir?: string }): Promise<VirtualPhone>;
  destroy(): Promise<void>;
}

/** Names used by a mini world with this tag (also for cleaning up after a crashed run). */
export function worldNamespaces(tag: string): MiniWorld['ns'] {
  return { lan: `mtph-${tag}-lan`, phoneA: `mtph-${tag}-pa`, phoneB: `mtph-${tag}-pb`, svc: `mtph-${tag}-svc` };
}

async function removeNamespaces(tag: string): Promise<void> {
  const existing = (await ip('netns', 'list')).split('\n').map((l) => l.split(' ')[0]);
  for (const n of Object.values(worldNamespaces(tag))) {
    if (existing.includes(n)) await ip('netns', 'del', n).catch(() => undefined);
  }
}

export async function createMiniWorld(tag: string, opts: { backends?: boolean } = {}): Promise<MiniWorld> {
  if (!/^[a-z0-9]{1,6}$/.test(tag)) throw new Error(`bad world tag ${tag}`);
  const ns = worldNamespaces(tag);
  await removeNamespaces(tag);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `mtph-${tag}-`));
  fs.chmodSync(stateDir, 0o755);
  const phones: VirtualPhone[] = [];
  const backends: ServiceBackend[] = [];
  let dnsmasq: ChildProcess | null = null;

  const destroy = async (): Promise<void> => {
    for (const p of phones.splice(0)) await p.stop().catch(() => undefined);
    for (const b of backends.splice(0)) await b.stop().catch(() => undefined);
    if (dnsmasq) await stopChild(dnsmasq);
    await removeNamespaces(tag);
    fs.rmSync(stateDir, { recursive: true, force: true });
  };

  try {
    for (const n of Object.values(ns)) {
      await ip('netns', 'add', n);
      await ip('-n', n, 'link', 'set', 'lo', 'up');
    }
    await ip('-n', ns.lan, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', ns.lan, 'link', 'set', 'br0', 'up');
    await ip('-n', ns.lan, 'addr', 'add', `${LAN_V4}/24`, 'dev', 'br0');
    await ip('-n', ns.lan, 'addr', 'add', '2001:db8:d0::1/64', 'dev', 'br0', 'nodad');
    const members: Array<[string, string, string[]]> = [
      [ns.phoneA, 'wlan0', [ADDR.phoneA]],
      [ns.phoneB, 'wlan0', [ADDR.phoneB]],
      [ns.svc, 'eth0', [ADDR.textsecure, ADDR.threema, ADDR.whatsapp, ADDR.wechatDns, ADDR.wechatLong, ADDR.wechatLong2]],
    ];
    let i = 0;
    for (const [member, ifname, addrs] of members) {
      const hostSide = `v${tag}${i++}`;
      await ip('link', 'add', 'name', hostSide, 'netns', ns.lan, 'type', 'veth', 'peer', 'name', ifname, 'netns', member);
      await ip('-n', ns.lan, 'link', 'set', hostSide, 'master', 'br0', 'up');
      await ip('-n', member, 'link', 'set', ifname, 'up');
      for (const a of addrs) await ip('-n', member, 'addr', 'add', `${a}/24`, 'dev', ifname);
      await ip('-n', member, 'addr', 'add', `2001:db8:d0::${a6(addrs[0])}/64`, 'dev', ifname, 'nodad');
      await ip('-n', member, 'route', 'add', 'default', 'via', LAN_V4);
    }
    const dnsArgs = [
      '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces', `--listen-address=${LAN_V4}`,
      '--pid-file=', '--log-facility=-',
      `--address=/textsecure-service.whispersystems.org/${ADDR.textsecure}`,
      `--address=/g-33.0.threema.ch/${ADDR.threema}`, `--address=/api.threema.ch/${ADDR.threema}`,
      `--address=/c.whatsapp.net/${ADDR.whatsapp}`, `--address=/v.whatsapp.net/${ADDR.whatsapp}`,
      `--address=/dns.weixin.qq.com/${ADDR.wechatDns}`, `--address=/short.weixin.qq.com/${ADDR.wechatDns}`,
      // DNS answers the DNS endpoint's address for long.weixin.qq.com; only the HTTP DNS knows .25
      `--address=/long.weixin.qq.com/${ADDR.wechatDns}`,
    ];
    dnsmasq = spawn('ip', ['netns', 'exec', ns.lan, 'dnsmasq', ...dnsArgs], { stdio: 'ignore' });

    const backendDir = path.join(stateDir, 'svc');
    if (opts.backends === false) return finish();
    const start = async (o: Parameters<typeof startServiceBackend>[0]): Promise<void> => {
      backends.push(await startServiceBackend(o));
    };
    await start({ app: 'textsecure', netns: ns.svc, addresses: [ADDR.textsecure], stateDir: path.join(backendDir, 'textsecure') });
    await start({ app: 'threema', netns: ns.svc, addresses: [ADDR.threema], stateDir: path.join(backendDir, 'threema'), name: 'threema-ch' });
    await start({ app: 'whatsapp', netns: ns.svc, addresses: [ADDR.whatsapp], stateDir: path.join(backendDir, 'whatsapp') });
    await start({
      app: 'wechat',
      netns: ns.svc,
      stateDir: path.join(backendDir, 'wechat'),
      listen: [
        { host: ADDR.wechatDns, port: 80, tls: false, kind: 'http-dns' },
        { host: ADDR.wechatLong, port: 8080, tls: false, kind: 'chat' },
      ],
      httpDns: [{ name: 'long.weixin.qq.com', answers: [{ clientPrefix: '198.19.210.0/24', addresses: [ADDR.wechatLong] }, { addresses: ['198.19.210.99'] }] }],
    });
  } catch (err) {
    await destroy();
    throw err;
  }
  return finish();

  function finish(): MiniWorld {
    return {
    tag,
    ns,
    stateDir,
    phones,
    backends,
    startPhone: async (o) => {
      const phone = await startVirtualPhone({ ...o, stateDir: o.stateDir ?? path.join(stateDir, o.name), dnsServers: [LAN_V4] });
      phones.push(phone);
      return phone;
    },
    destroy,
    };
  }
}

function a6(v4: string): string {
  return v4.split('.')[3];
}

/** A TCP connect from `uid` inside `netns` (what the phone firewall lets out): prints connected, an error code or timeout. */
export function probeAsUid(netns: string, uid: number, host: string, port: number): ReturnType<typeof nsExec> {
  return nsExec(netns, ['setpriv', '--reuid', String(uid), '--regid', String(uid), '--clear-groups', 'node', '-e',
    `const s=require('net').connect(${port},'${host}');s.setTimeout(4000,()=>{console.log('timeout');process.exit(2)});s.on('connect',()=>{console.log('connected');process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(1)})`]);
}

/** Poll `check` until it returns a value or `timeoutMs` passes (a deadline, not a timing assertion). */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined> | T | null | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export interface LoneNamespace {
  netns: string;
  /** A state dir for phones, searchable by the app uids. */
  stateDir: string;
  destroy(): Promise<void>;
}

/**
 * One empty namespace and a state dir, for tests of single phones that need no LAN or backends
 * (the adb server is started first: the phones install its key).
 */
export async function createLoneNamespace(netns: string): Promise<LoneNamespace> {
  if (!/^mtph-[a-z0-9-]{1,20}$/.test(netns)) throw new Error(`bad test namespace ${netns}`);
  await execFileAsync('adb', ['start-server'], { timeout: 30_000 });
  await ip('netns', 'del', netns).catch(() => undefined);
  await ip('netns', 'add', netns);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `${netns}-`));
  fs.chmodSync(stateDir, 0o755);
  return {
    netns,
    stateDir,
    destroy: async () => {
      await ip('netns', 'del', netns).catch(() => undefined);
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A lone virtual phone with a connected driver; `stop()` releases phone, adb and namespace. */
export async function startLonePhone(
  netns: string,
  phoneOpts: Omit<StartVirtualPhoneOptions, 'netns' | 'stateDir'>,
): Promise<{ phone: VirtualPhone; driver: PhoneDriver; stop(): Promise<void> }> {
  const ns = await createLoneNamespace(netns);
  let phone: VirtualPhone | null = null;
  try {
    phone = await startVirtualPhone({ ...phoneOpts, netns, stateDir: ns.stateDir });
    const driver = new PhoneDriver({ serial: phone.serial, timeoutMs: 15_000 });
    const c = await driver.connect();
    if (!c.ok) throw new Error(`connect ${phone.serial}: ${c.failure}: ${c.detail}`);
    const started = phone;
    return {
      phone: started,
      driver,
      stop: async () => {
        await driver.disconnect();
        await started.stop();
        await ns.destroy();
      },
    };
  } catch (err) {
    await phone?.stop().catch(() => undefined);
    await ns.destroy();
    throw err;
  }
}

/** A mini world with phones A and B (each the other's peer) and a connected phone driver each. */
export interface PhonePair {
  world: MiniWorld;
  phones: [VirtualPhone, VirtualPhone];
  drivers: [PhoneDriver, PhoneDriver];
  /** Disconnects the drivers and destroys the world (also after a partial start). */
  stop(): Promise<void>;
}

export async function startPhonePair(tag: string, o: { ports: [number, number]; apps: StartVirtualPhoneOptions['apps']; keepAliveMs?: number }): Promise<PhonePair> {
  await execFileAsync('adb', ['start-server'], { timeout: 30_000 });
  const world = await createMiniWorld(tag);
  const drivers: PhoneDriver[] = [];
  const stop = async (): Promise<void> => {
    for (const d of drivers) await d.disconnect();
    await world.destroy();
  };
  try {
    const [nameA, nameB] = [`mtph-${tag}-a`, `mtph-${tag}-b`];
    const common = { apps: o.apps, keepAliveMs: o.keepAliveMs ?? 5000 };
    const phoneA = await world.startPhone({ name: nameA, netns: world.ns.phoneA, adbPort: o.ports[0], peer: nameB, peerName: 'MATAdOR B', ...common });
    const phoneB = await world.startPhone({ name: nameB, netns: world.ns.phoneB, adbPort: o.ports[1], peer: nameA, peerName: 'MATAdOR A', ...common });
    for (const p of [phoneA, phoneB]) {
      const d = new PhoneDriver({ serial: p.serial, timeoutMs: 15_000 });
      drivers.push(d);
      const c = await d.connect();
      if (!c.ok) throw new Error(`connect ${d.serial}: ${c.failure} ${c.detail}`);
    }
    return { world, phones: [phoneA, phoneB], drivers: [drivers[0], drivers[1]], stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
