/**
 * The small emulated world, end to end with the real tools: `matador testbed up`, real
 * traceroutes through the namespaces geolocated with the exported corrections, the regional
 * resolvers, sshd with pinned host keys, background responders, every fault kind, and `down`
 * leaving no namespace, process or file behind.
 */
import { spawn, ChildProcess } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as os from 'os';
import * as net from 'net';
import { readWorldState, WorldState, worldsDir } from '../../testbed/world/state';
import { runCmd } from '../support/matador-cli';
import { isProcessAlive } from '../../ops/pid';
import { PhoneDriver } from '../../drivers/phone';
import { countryPath, loadCorrections, mtNamespaces, processesMentioning, runCli, traceHops } from './helpers';

jest.setTimeout(300_000);

/** Minimal DNS A query (RFC 1035) over UDP. */
function resolveA(server: string, name: string): Promise<string[]> {
  const id = 0x4d54;
  const qname = Buffer.concat([...name.split('.').map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])), Buffer.from([0])]);
  const query = Buffer.concat([Buffer.from([id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), qname, Buffer.from([0, 1, 0, 1])]);
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no DNS answer from ${server} for ${name}`));
    }, 3000);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      const answers: string[] = [];
      let off = 12 + qname.length + 4;
      for (let i = 0; i < msg.readUInt16BE(6); i++) {
        off += (msg[off] & 0xc0) === 0xc0 ? 2 : qname.length;
        const type = msg.readUInt16BE(off);
        const len = msg.readUInt16BE(off + 8);
        if (type === 1 && len === 4) answers.push([...msg.subarray(off + 10, off + 14)].join('.'));
        off += 10 + len;
      }
      resolve(answers);
    });
    sock.send(query, 53, server);
  });
}

function tcpConnects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection({ host, port, timeout: 3000 });
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

describe('small world (6 nodes, 1 testbed)', () => {
  let state: WorldState;
  let corrections: ReturnType<typeof loadCorrections>;
  const addressOf = (id: string) => {
    const n = state.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    return n.address;
  };
  const serviceAddress = (id: string, name: string) => state.services.find((s) => s.id === id)?.addresses.find((a) => a.name === name)?.address as string;

  beforeAll(async () => {
    const r = await runCli(['testbed', 'up', 'small']);
    if (r.code !== 0) throw new Error(`testbed up failed: ${r.stderr}${r.stdout}`);
    expect(r.stdout).toMatch(/world small up in [\d.]+ s/);
    state = readWorldState('small');
    corrections = loadCorrections(state.correctionsFile);
  });

  afterAll(async () => {
    await runCli(['testbed', 'down']);
  });

  test('state lists every element with endpoints, and every namespace exists', async () => {
    expect(state.status).toBe('up');
    expect(state.nodes.map((n) => n.id).sort()).toEqual(['ch-zrh', 'es-mad', 'il-jrs', 'jp-tyo', 'pl-waw', 'sg-sin']);
    const ns = await mtNamespaces();
    for (const n of state.nodes) expect(ns).toContain(n.netns);
    expect(state.testbeds).toHaveLength(1);
    expect(state.testbeds[0].sides.A.phone.adbSerial).toBe('127.0.0.1:5600');
    for (const p of state.processes) expect(isProcessAlive(p.pid)).toBe(true);
  });

  test('Poland -> Spain goes through the UK: hops geolocate PL, GB, ES', async () => {
    const hops = await traceHops('pl-waw', addressOf('es-mad'));
    expect(hops[hops.length - 1]).toBe(addressOf('es-mad'));
    expect(countryPath(corrections, hops)).toEqual(['PL', 'GB', 'ES']);
  });

  test('Israel -> Japan passes Europe and then the US', async () => {
    const path = countryPath(corrections, await traceHops('il-jrs', addressOf('jp-tyo')));
    expect(path[0]).toBe('IL');
    expect(path[path.length - 1]).toBe('JP');
    expect(path).toEqual(['IL', 'IT', 'GB', 'US', 'JP']);
  });

  test("Singapore reaches WeChat's Chinese backend through the US (TCP 8080), Zurich reaches Hong Kong directly", async () => {
    const long = serviceAddress('wechat-cn', 'long.weixin.qq.com');
    expect(countryPath(corrections, await traceHops('sg-sin', long, ['-T', '-p', '8080']))).toEqual(['SG', 'US', 'CN']);
    const hk = serviceAddress('wechat-hk', 'long.weixin.qq.com');
    expect(countryPath(corrections, await traceHops('ch-zrh', hk))).toEqual(['CH', 'HK']);
    expect(countryPath(corrections, await traceHops('pl-waw', hk))).toEqual(['PL', 'GB', 'US', 'HK']);
  });

  test('link delays hold packets at least as long as the config says (lower bound only)', async () => {
    expect(['netem', 'nfqueue']).toContain(state.delays.mode);
    // pl -> gb (2 ms) -> es (2 ms), both ways: no reply can come back before 8 ms
    const r = await runCli(['testbed', 'exec', 'pl-waw', '--', 'ping', '-c', '3', '-i', '0.2', '-W', '2', addressOf('es-mad')]);
    expect(r.code).toBe(0);
    const min = Number(/= ([\d.]+)\//.exec(r.stdout)?.[1]);
    expect(min).toBeGreaterThanOrEqual(8);
  });

  test('resolvers answer by region: WeChat is Chinese from Asia, Hong Kong from Europe; Threema is Swiss everywhere', async () => {
    const eu = state.resolvers.find((r) => r.id === 'dns-eu')?.address as string;
    const asia = state.resolvers.find((r) => r.id === 'dns-asia')?.address as string;
    expect(state.nodes.find((n) => n.id === 'pl-waw')?.resolver).toBe(eu);
    expect(state.nodes.find((n) => n.id === 'sg-sin')?.resolver).toBe(asia);
    expect(await resolveA(asia, 'long.weixin.qq.com')).toEqual([serviceAddress('wechat-cn', 'long.weixin.qq.com')]);
    expect(await resolveA(eu, 'long.weixin.qq.com')).toEqual([serviceAddress('wechat-hk', 'long.weixin.qq.com')]);
    for (const r of [eu, asia]) expect(await resolveA(r, 'g-33.0.threema.ch')).toEqual([serviceAddress('threema', 'g-33.0.threema.ch')]);
    expect(await resolveA(eu, 'no-such-name.example')).toEqual([]);
    // programs inside a vantage node ask the anycast resolver, which routing delivers to the
    // node's region: Israel's queries travel to the Asian resolver through Europe and the US
    const lookup = async (node: string) => (await runCli(['testbed', 'exec', node, '--', 'getent', 'ahostsv4', 'long.weixin.qq.com'])).stdout.split(/\s+/)[0];
    expect(await lookup('sg-sin')).toBe(serviceAddress('wechat-cn', 'long.weixin.qq.com'));
    expect(await lookup('il-jrs')).toBe(serviceAddress('wechat-cn', 'long.weixin.qq.com'));
    expect(await lookup('pl-waw')).toBe(serviceAddress('wechat-hk', 'long.weixin.qq.com'));
    expect(state.testbeds[0].sides.A.phone.dns).toBe(state.anycastResolver);
  });

  test('background services answer: SNTP and the HTTP 204 connectivity check', async () => {
    const ntp = state.background.find((b) => b.kind === 'ntp') as WorldState['background'][number];
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const sock = dgram.createSocket('udp4');
      const req = Buffer.alloc(48);
      req[0] = (4 << 3) | 3;
      const timer = setTimeout(() => reject(new Error('no NTP reply')), 3000);
      sock.on('message', (m) => {
        clearTimeout(timer);
        sock.close();
        resolve(m);
      });
      sock.send(req, ntp.port, ntp.address);
    });
    expect(reply[0] & 7).toBe(4);
    const seconds = reply.readUInt32BE(40) - 2208988800;
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(120);
    const check = state.background.find((b) => b.kind === 'http204') as WorldState['background'][number];
    const head = await new Promise<string>((resolve, reject) => {
      const s = net.createConnection({ host: check.address, port: check.port }, () => s.write('GET /generate_204 HTTP/1.1\r\nHost: x\r\n\r\n'));
      let buf = '';
      s.on('data', (d) => (buf += d.toString()));
      s.on('end', () => resolve(buf));
      s.on('error', reject);
    });
    expect(head.startsWith('HTTP/1.1 204')).toBe(true);
  });

  test('sshd on a vantage node and a WLAN router: key auth with the pinned host key', async () => {
    for (const ep of [state.nodes.find((n) => n.id === 'pl-waw')?.ssh, state.testbeds[0].sides.A.router.ssh]) {
      if (!ep) throw new Error('no ssh endpoint in the state');
      const r = await runCmd([
        'ssh', '-i', ep.privateKeyPath, '-p', String(ep.port), '-o', `UserKnownHostsFile=${ep.knownHostsFile}`, '-o', 'StrictHostKeyChecking=yes',
        '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', `${ep.username}@${ep.host}`, 'ip', '-4', '-o', 'addr', 'show',
      ]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(ep.host);
    }
  });

  test('faults: link loss, backend down, tunnel down, tcpdump killed — injected and cleared', async () => {
    // link loss: 100% on gb~es cuts Poland from Spain; clearing restores it
    expect((await runCli(['testbed', 'fault', 'link-loss', 'gb~es', '--value', '100'])).code).toBe(0);
    const cut = await runCli(['testbed', 'exec', 'pl-waw', '--', 'ping', '-c', '2', '-W', '1', addressOf('es-mad')]);
    expect(cut.code).not.toBe(0);
    expect(readWorldState('small').faults.map((f) => f.kind)).toContain('link-loss');
    expect((await runCli(['testbed', 'fault', 'link-loss', 'gb~es', '--clear'])).code).toBe(0);
    expect((await runCli(['testbed', 'exec', 'pl-waw', '--', 'ping', '-c', '1', '-W', '2', addressOf('es-mad')])).code).toBe(0);

    // link delay: +40 ms each way on gb~es, so a ping from Poland takes at least 8 + 80 ms
    expect((await runCli(['testbed', 'fault', 'link-delay', 'gb~es', '--value', '40'])).code).toBe(0);
    const slow = await runCli(['testbed', 'exec', 'pl-waw', '--', 'ping', '-c', '2', '-i', '0.2', '-W', '2', addressOf('es-mad')]);
    expect(Number(/= ([\d.]+)\//.exec(slow.stdout)?.[1])).toBeGreaterThanOrEqual(88);
    expect((await runCli(['testbed', 'fault', 'link-delay', 'gb~es', '--clear'])).code).toBe(0);
    expect((await runCli(['testbed', 'exec', 'pl-waw', '--', 'ping', '-c', '1', '-W', '2', addressOf('es-mad')])).code).toBe(0);

    // backend down: Threema's chat port stops answering; clear starts it again
    const threema = serviceAddress('threema', 'g-33.0.threema.ch');
    expect(await tcpConnects(threema, 5222)).toBe(true);
    expect((await runCli(['testbed', 'fault', 'backend-down', 'threema'])).code).toBe(0);
    expect(await tcpConnects(threema, 5222)).toBe(false);
    expect((await runCli(['testbed', 'fault', 'backend-down', 'threema', '--clear'])).code).toBe(0);
    expect(await tcpConnects(threema, 5222)).toBe(true);

    // tunnel down: a tunnel in the WLAN router's namespace goes down and comes back (VXLAN:
    // this kernel has no GRE/IPIP modules; the fault handles every tunnel kind alike)
    const wa = state.testbeds[0].sides.A.router;
    const node = state.nodes.find((n) => n.id === 'pl-waw') as WorldState['nodes'][number];
    const add = await runCmd(['ip', '-n', wa.netns, 'link', 'add', 'mt-tun-t', 'type', 'vxlan', 'id', '42', 'local', wa.uplinkAddress, 'remote', node.address, 'dstport', '4789']);
    expect(add.stderr).toBe('');
    await runCmd(['ip', '-n', wa.netns, 'link', 'set', 'mt-tun-t', 'up']);
    const linkUp = async () => (await runCmd(['ip', '-n', wa.netns, '-o', 'link', 'show', 'mt-tun-t'])).stdout.includes(',UP');
    expect(await linkUp()).toBe(true);
    expect((await runCli(['testbed', 'fault', 'tunnel-down', wa.id])).code).toBe(0);
    expect(await linkUp()).toBe(false);
    expect((await runCli(['testbed', 'fault', 'tunnel-down', wa.id, '--clear'])).code).toBe(0);
    expect(await linkUp()).toBe(true);

    // tcpdump killed inside the WLAN router's namespace
    let tcpdump: ChildProcess | null = spawn('ip', ['netns', 'exec', wa.netns, 'tcpdump', '-i', 'any', '-w', '/dev/null'], { stdio: 'ignore' });
    try {
      const exited = new Promise<void>((resolve) => tcpdump?.once('exit', () => resolve()));
      await new Promise((r) => setTimeout(r, 500));
      const r = await runCli(['testbed', 'fault', 'tcpdump-kill', wa.id]);
      expect(r.stdout).toMatch(/killed 1 tcpdump/);
      await exited;
      expect(isProcessAlive(tcpdump.pid as number)).toBe(false);
      tcpdump = null;
    } finally {
      if (tcpdump?.pid) tcpdump.kill('SIGKILL');
    }
    expect(readWorldState('small').faults).toEqual([]);
  });

  test('faults: adb disconnect and slow adb on a virtual phone', async () => {
    const serial = state.testbeds[0].sides.A.phone.adbSerial;
    try {
      expect((await runCmd(['adb', 'connect', serial])).stdout).toMatch(/connected/);
      expect((await runCmd(['adb', '-s', serial, 'shell', 'echo', 'hi'])).stdout.trim()).toBe('hi');
      expect((await runCli(['testbed', 'fault', 'adb-disconnect', 'tb1-pa'])).code).toBe(0);
      const during = await runCmd(['adb', '-s', serial, 'shell', 'echo', 'hi'], 20_000);
      expect(during.stdout.trim()).not.toBe('hi');
      expect((await runCli(['testbed', 'fault', 'adb-disconnect', 'tb1-pa', '--clear'])).code).toBe(0);
      await runCmd(['adb', 'disconnect', serial]);
      expect((await runCmd(['adb', 'connect', serial])).stdout).toMatch(/connected/);
      expect((await runCli(['testbed', 'fault', 'adb-slow', 'tb1-pa', '--value', '200'])).code).toBe(0);
      expect(readWorldState('small').faults).toEqual([expect.objectContaining({ kind: 'adb-slow', target: 'tb1-pa', value: 200 })]);
      expect((await runCmd(['adb', '-s', serial, 'shell', 'echo', 'slow'])).stdout.trim()).toBe('slow');
      expect((await runCli(['testbed', 'fault', 'adb-slow', 'tb1-pa', '--clear'])).code).toBe(0);
    } finally {
      await runCmd(['adb', 'disconnect', serial]);
    }
  });

  test('faults: app-missing hides an app from the phone until cleared', async () => {
    const serial = state.testbeds[0].sides.A.phone.adbSerial;
    const listed = async (): Promise<string> => (await runCmd(['adb', '-s', serial, 'shell', 'pm', 'list', 'packages', 'ch.threema.app'])).stdout.trim();
    try {
      expect((await runCmd(['adb', 'connect', serial])).stdout).toMatch(/connected/);
      expect(await listed()).toBe('package:ch.threema.app');
      const hide = await runCli(['testbed', 'fault', 'app-missing', 'tb1-pa:threema']);
      expect(hide.code).toBe(0);
      expect(await listed()).toBe('');
      expect(readWorldState('small').faults).toEqual([expect.objectContaining({ kind: 'app-missing', target: 'tb1-pa:threema' })]);
      expect((await runCli(['testbed', 'fault', 'app-missing', 'tb1-pa:threema', '--clear'])).code).toBe(0);
      expect(await listed()).toBe('package:ch.threema.app');
      const bad = await runCli(['testbed', 'fault', 'app-missing', 'tb1-pa:telegram']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/unknown app "telegram"/);
    } finally {
      await runCmd(['adb', 'disconnect', serial]);
    }
  });

  test('faults: adb-unauthorized and location-provider-missing end in the driver\'s precise failures until cleared', async () => {
    const serial = state.testbeds[0].sides.A.phone.adbSerial;
    const driver = new PhoneDriver({ serial, timeoutMs: 15_000 });
    try {
      expect(await driver.connect()).toMatchObject({ ok: true, state: 'device' });
      expect((await runCli(['testbed', 'fault', 'adb-unauthorized', 'tb1-pa'])).code).toBe(0);
      expect((await runCmd(['adb', 'devices'])).stdout).toMatch(new RegExp(`^${serial.replace(/\./g, '\\.')}\\s+unauthorized$`, 'm'));
      const refused = await driver.connect();
      expect(refused).toMatchObject({ ok: false, failure: 'adb_unauthorized' });
      expect(!refused.ok && refused.detail).toContain(`accept the USB debugging prompt on ${serial}`);
      expect((await runCli(['testbed', 'fault', 'adb-unauthorized', 'tb1-pa', '--clear'])).code).toBe(0);
      expect(await driver.connect()).toMatchObject({ ok: true, state: 'device' });

      expect(await driver.checkLocationProvider()).toMatchObject({ ok: true, provider: 'io.appium.settings' });
      expect((await runCli(['testbed', 'fault', 'location-provider-missing', 'tb1-pa'])).code).toBe(0);
      expect(readWorldState('small').faults).toEqual([expect.objectContaining({ kind: 'location-provider-missing', target: 'tb1-pa' })]);
      const missing = await driver.setLocation(52.23, 21.01);
      expect(missing).toMatchObject({ ok: false, failure: 'location_provider_missing' });
      expect(!missing.ok && missing.detail).toContain(`io.appium.settings is not installed on ${serial}`);
      expect((await runCli(['testbed', 'fault', 'location-provider-missing', 'tb1-pa', '--clear'])).code).toBe(0);
      expect(await driver.setLocation(52.23, 21.01)).toMatchObject({ ok: true });
      expect(readWorldState('small').faults).toEqual([]);
    } finally {
      await driver.disconnect();
    }
  });

  test('faults: clock-skew runs the phone clock ahead (date, $EPOCHREALTIME) until cleared', async () => {
    const serial = state.testbeds[0].sides.A.phone.adbSerial;
    const skew = async (): Promise<number> => {
      const r = await runCmd(['adb', '-s', serial, 'shell', 'echo "$EPOCHREALTIME"']);
      return Number(r.stdout.trim()) * 1000 - Date.now();
    };
    try {
      expect((await runCmd(['adb', 'connect', serial])).stdout).toMatch(/connected/);
      expect(Math.abs(await skew())).toBeLessThan(1000);
      expect((await runCli(['testbed', 'fault', 'clock-skew', 'tb1-pa', '--value', '60000'])).code).toBe(0);
      expect(readWorldState('small').faults).toEqual([expect.objectContaining({ kind: 'clock-skew', target: 'tb1-pa', value: 60000 })]);
      expect(await skew()).toBeGreaterThan(59_000);
      // Android 5's toolbox date: no %N, the seconds are ahead too
      const date = (await runCmd(['adb', '-s', serial, 'shell', 'date +%s%N'])).stdout.trim();
      expect(date).toMatch(/^\d{10}N$/);
      expect(Number(date.slice(0, -1)) * 1000 - Date.now()).toBeGreaterThan(58_000);
      expect((await runCli(['testbed', 'fault', 'clock-skew', 'tb1-pa', '--clear'])).code).toBe(0);
      expect(Math.abs(await skew())).toBeLessThan(1000);
    } finally {
      await runCmd(['adb', 'disconnect', serial]);
    }
  });

  test('faults: ui-dump-flaky, screen-locked and app-version act on the phone as Android would show them, until cleared', async () => {
    const serial = state.testbeds[0].sides.A.phone.adbSerial;
    const sh = async (...cmd: string[]): Promise<string> => { const r = await runCmd(['adb', '-s', serial, 'shell', ...cmd]); return `${r.stdout}${r.stderr}`; };
    try {
      expect((await runCmd(['adb', 'connect', serial])).stdout).toMatch(/connected/);
      expect((await runCli(['testbed', 'fault', 'ui-dump-flaky', 'tb1-pa', '--value', '1'])).code).toBe(0);
      expect(await sh('uiautomator', 'dump', '/sdcard/window_dump.xml')).toMatch(/^ERROR: (null root node returned by UiTestAutomationBridge|could not get idle state)\.$/m);
      expect(await sh('uiautomator', 'dump', '/sdcard/window_dump.xml')).toContain('UI hierchary dumped to: /sdcard/window_dump.xml');
      expect((await runCli(['testbed', 'fault', 'ui-dump-flaky', 'tb1-pa', '--clear'])).code).toBe(0);

      expect((await runCli(['testbed', 'fault', 'screen-locked', 'tb1-pa'])).code).toBe(0);
      expect(await sh('dumpsys', 'power')).toContain('Display Power: state=OFF');
      expect(await sh('input', 'keyevent', '26')).toBe('');
      expect(await sh('dumpsys', 'window', 'policy')).toContain('mShowingLockscreen=true');
      expect((await runCli(['testbed', 'fault', 'screen-locked', 'tb1-pa', '--clear'])).code).toBe(0);
      expect(await sh('dumpsys', 'power')).toContain('Display Power: state=ON');
      expect(await sh('dumpsys', 'window', 'policy')).toContain('mShowingLockscreen=false');

      const version = async (): Promise<string | undefined> => /versionName=(\S+)/.exec(await sh('dumpsys', 'package', 'com.whatsapp'))?.[1];
      expect((await runCli(['testbed', 'fault', 'app-version', 'tb1-pa:whatsapp@2.11.0'])).code).toBe(0);
      expect(await version()).toBe('2.11.0');
      expect(readWorldState('small').faults).toEqual([expect.objectContaining({ kind: 'app-version', target: 'tb1-pa:whatsapp@2.11.0' })]);
      expect((await runCli(['testbed', 'fault', 'app-version', 'tb1-pa:whatsapp', '--clear'])).code).toBe(0);
      expect(await version()).toBe('2.12.176');
      expect(readWorldState('small').faults).toEqual([]);
      const bad = await runCli(['testbed', 'fault', 'app-version', 'tb1-pa:whatsapp']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr.trim()).toMatch(/^matador: app-version needs TARGET PHONE:APP@VERSION/);
    } finally {
      await runCli(['testbed', 'fault', 'screen-locked', 'tb1-pa', '--clear']);
      await runCmd(['adb', 'disconnect', serial]);
    }
  });

  test('a bad world name is a one-line error and leaves the running world alone', async () => {
    const r = await runCli(['testbed', 'up', 'no-such-world']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^matador: world config .*no-such-world\.yaml does not exist$/);
    expect(readWorldState('small').status).toBe('up');
    expect((await mtNamespaces()).length).toBe(31);
  });

  test('down leaves no namespace, process or file behind', async () => {
    const pids = readWorldState('small').processes.map((p) => p.pid);
    const r = await runCli(['testbed', 'down']);
    expect(r.code).toBe(0);
    expect(await mtNamespaces()).toEqual([]);
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
    expect(processesMentioning(`${worldsDir()}/`)).toEqual([]);
    expect(fs.existsSync(worldsDir())).toBe(false);
    expect((await runCmd(['ip', '-o', 'link', 'show'])).stdout).not.toMatch(/ mt-/);
    expect(fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('mt-world-'))).toEqual([]);
    expect(fs.existsSync('/etc/netns') ? fs.readdirSync('/etc/netns').filter((d) => d.startsWith('mt-')) : []).toEqual([]);
    expect((await runCli(['testbed', 'status'])).stdout).toMatch(/no world is up/);
  });
});
