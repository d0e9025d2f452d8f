/**
 * The OpenWrt-like router (testbed/dropbear.ts: Dropbear, BusyBox ash and tools, no SFTP) driven
 * by the real drivers, next to the same router's OpenSSH login (testbed/driver-topology.ts with
 * `dropbear: true`): host profile detection on both, BusyBox timeout, ip text readers, capture
 * start/stop/fetch over an exec channel with size + checksum, capture_corrupt, tool_missing, and
 * vxlan refused before anything is built.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import type { NodeTarget } from '../../drivers/node';
import { captureDiscard, captureFetch, captureStart, captureStop, captureSweep, configureRouter, RouterConfig, tunnelDown, tunnelStatus, tunnelUp } from '../../drivers/router';
import { tunnelReusable } from '../../drivers/router/tunnel';
import { withSsh } from '../../drivers/ssh/session';
import { setCorruptCat, setToolPresent } from '../../testbed/dropbear';
import { ADDR, inNs, NS, run, topologyTunnel, useTopology } from '../support/world';

const t = useTopology({ dropbear: true });
const CAPTURE_DIR = '/run/mtsh-owrt-captures';
const owrt = (): RouterConfig => ({ ssh: t().owrt!, lanInterface: 'r-lan', captureDir: CAPTURE_DIR });
const debian = (): RouterConfig => ({ ssh: t().router, lanInterface: 'r-lan', captureDir: CAPTURE_DIR });
const node = (): NodeTarget => ({ ssh: t().node, egressInterface: 'n-wan' });
const spec = topologyTunnel('vxlan', { name: 'mtsh-owrt0', table: 121, rulePriority: 1210 });

async function linkExists(ns: string, name: string): Promise<boolean> {
  return (await inNs(ns, ['ip', 'link', 'show', 'dev', name])).code === 0;
}

/** tcpdump processes in the router's namespace (pgrep would see the whole machine's). */
async function tcpdumpsInRouter(): Promise<number[]> {
  const pids = (await run(['ip', 'netns', 'pids', NS.router])).stdout.split('\n').map(Number).filter((p) => p > 1);
  const names = await Promise.all(pids.map((p) => fs.readFile(`/proc/${p}/comm`, 'utf8').catch(() => '')));
  return pids.filter((_, i) => names[i].trim() === 'tcpdump');
}

afterAll(async () => {
  await fs.rm(CAPTURE_DIR, { recursive: true, force: true });
});

describe('host profile', () => {
  it('detects Dropbear + BusyBox: text ip, BusyBox ip and timeout, no SFTP', async () => {
    const p = await withSsh(t().owrt!, (s) => s.hostProfile());
    expect(p).toMatchObject({ ok: true, profile: { ip: 'text', ipImpl: 'busybox', timeout: 'busybox', userland: 'busybox', sftp: false, checksum: 'sha256sum' } });
    if (p.ok) expect(p.profile.missing).toEqual(expect.arrayContaining(['scamper']));
    expect(t().dropbear!.tools).toEqual(expect.arrayContaining(['tcpdump', 'iptables']));
  });

  it('detects OpenSSH + GNU on the same router: JSON ip, GNU timeout, SFTP', async () => {
    expect(await withSsh(t().router, (s) => s.hostProfile())).toMatchObject({ ok: true, profile: { ip: 'json', ipImpl: 'iproute2', timeout: 'gnu', userland: 'gnu', sftp: true } });
  });

  it('BusyBox timeout stopping the command (SIGTERM, 143) is the remote timeout (ssh_timeout)', async () => {
    const r = await withSsh(t().owrt!, async (s) => {
      const p = await s.hostProfile();
      if (!p.ok) return p;
      return s.run(['sleep', '5'], { timeoutMs: 1000 });
    });
    expect(r).toMatchObject({ ok: false, failure: 'ssh_timeout' });
    if (!r.ok) expect(r.detail).toMatch(/remote timeout/);
  });
});

describe('router driver on BusyBox', () => {
  it('configureRouter reads the LAN link from BusyBox ip text', async () => {
    expect(await configureRouter(owrt())).toMatchObject({ ok: true, lanInterfaceUp: true });
  });

  it('captures on the router and fetches over exec cat with size + sha256 verified', async () => {
    const started = await captureStart(owrt(), { id: 'mtsh-owrt-cap', filter: 'icmp' });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    expect((await inNs(NS.phone, ['ping', '-n', '-c', '3', '-i', '0.2', '-W', '1', ADDR.routerLan])).code).toBe(0);
    const stopped = await captureStop(owrt(), started.handle);
    expect(stopped).toMatchObject({ ok: true });
    if (!stopped.ok) return;
    expect(stopped.packetsCaptured).toBeGreaterThanOrEqual(6);
    const local = path.join(t().stateRoot, 'artefacts', 'owrt.pcap');
    const got = await captureFetch(owrt(), started.handle, local, { removeRemote: true });
    expect(got).toMatchObject({ ok: true, format: 'pcap', packets: stopped.packetsCaptured });
    await expect(fs.access(started.handle.remoteFile)).rejects.toThrow();
  });

  it('a corrupt read is fetched again; corrupt twice is capture_corrupt and leaves no file', async () => {
    const started = await captureStart(owrt(), { id: 'mtsh-owrt-corrupt', filter: 'icmp' });
    if (!started.ok) throw new Error(started.detail);
    await inNs(NS.phone, ['ping', '-n', '-c', '2', '-i', '0.2', '-W', '1', ADDR.routerLan]);
    expect(await captureStop(owrt(), started.handle)).toMatchObject({ ok: true });
    const dir = path.join(t().stateRoot, 'artefacts-corrupt');
    const local = path.join(dir, 'c.pcap');
    try {
      await setCorruptCat(t().dropbear!.binDir, 1);
      expect(await captureFetch(owrt(), started.handle, local)).toMatchObject({ ok: true, format: 'pcap' });
      await fs.rm(local);
      await setCorruptCat(t().dropbear!.binDir, 2);
      const r = await captureFetch(owrt(), started.handle, local);
      expect(r).toMatchObject({ ok: false, failure: 'capture_corrupt' });
      if (!r.ok) expect(r.detail).toMatch(/mtsh-owrt-corrupt\.pcap: (\d+) bytes expected, \1 received, sha256 [0-9a-f]{64} expected, [0-9a-f]{64} received \(fetched twice over exec cat\)/);
      expect(await fs.readdir(dir)).toEqual([]); // no half file, no .part file
    } finally {
      await setCorruptCat(t().dropbear!.binDir, 0);
      await captureDiscard(owrt(), started.handle);
    }
    expect(await fs.readdir(CAPTURE_DIR)).toEqual([]);
  });

  it('the sweep stops a capture left running and removes its files (BusyBox tr/head/sed/grep)', async () => {
    const started = await captureStart(owrt(), { id: 'mtsh-owrt-left-1' });
    if (!started.ok) throw new Error(started.detail);
    const swept = await captureSweep(owrt(), { prefixes: ['mtsh-owrt-left-'] });
    expect(swept).toEqual({ ok: true, swept: [`stopped ${started.handle.pid} ${CAPTURE_DIR}/mtsh-owrt-left-1`] });
    expect(await tcpdumpsInRouter()).toEqual([]);
    expect((await fs.readdir(CAPTURE_DIR)).filter((f) => f.startsWith('mtsh-owrt-left-'))).toEqual([]);
  });

  it('a router without tcpdump is tool_missing with the opkg package, and nothing is left', async () => {
    try {
      await setToolPresent(t().dropbear!.binDir, 'tcpdump', false);
      const r = await captureStart(owrt(), { id: 'mtsh-owrt-notcpdump' });
      expect(r).toEqual({ ok: false, failure: 'tool_missing', detail: `root@[${ADDR.router}]:2223: tcpdump — install it: apt install tcpdump (Debian) / opkg install tcpdump (OpenWrt)` });
      expect(await configureRouter(owrt())).toMatchObject({ ok: false, failure: 'tool_missing' });
    } finally {
      await setToolPresent(t().dropbear!.binDir, 'tcpdump', true);
    }
    expect((await fs.readdir(CAPTURE_DIR)).filter((f) => f.includes('notcpdump'))).toEqual([]);
    expect(await tcpdumpsInRouter()).toEqual([]);
  });
});

describe('tunnels on BusyBox ip', () => {
  it('vxlan is refused with tool_missing (ip-full) before anything is built on either end', async () => {
    const r = await tunnelUp({ router: owrt(), node: node(), tunnel: spec });
    expect(r).toMatchObject({ ok: false, failure: 'tool_missing' });
    if (!r.ok) expect(r.detail).toMatch(/: ip \(BusyBox ip ignores vxlan options\) — install it: apt install iproute2 \(Debian\) \/ opkg install ip-full \(OpenWrt\)$/);
    expect(await linkExists(NS.router, spec.name)).toBe(false);
    expect(await linkExists(NS.node, spec.name)).toBe(false);
    expect(await tunnelReusable({ router: owrt(), tunnel: spec })).toMatchObject({ ok: false, failure: 'tool_missing' });
  });

  it('tunnelStatus reads link flags and the policy rule from BusyBox ip text', async () => {
    // Built through the router's OpenSSH login (iproute2), observed through its BusyBox login.
    expect(await tunnelUp({ router: debian(), node: node(), tunnel: spec })).toMatchObject({ ok: true });
    try {
      expect(await tunnelStatus({ router: owrt(), tunnel: spec })).toEqual({ ok: true, status: { exists: true, up: true, peerReachable: true, ruleInstalled: true } });
    } finally {
      await tunnelDown({ router: debian(), node: node(), tunnel: spec });
    }
    expect(await tunnelStatus({ router: owrt(), tunnel: spec })).toEqual({ ok: true, status: { exists: false, up: false, peerReachable: false, ruleInstalled: false } });
  });
});
