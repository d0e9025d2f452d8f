/**
 * Fault injection into a running world (issue 4 part 5). Every fault is idempotent and
 * clearable (except tcpdump-kill, which is a one-shot kill):
 *   link-loss A~B PERCENT   random drops on both ends of a link (iptables statistic match;
 *                           works without sch_netem) — TARGET may also be an element id (its
 *                           access link)
 *   link-delay A~B MS       extra delay on both ends (netem, or the NFQUEUE delay daemons)
 *   tunnel-down ELEMENT     every tunnel interface (GRE/IPIP/WireGuard/VXLAN/TUN) in the
 *                           element's namespace down
 *   tcpdump-kill ELEMENT    SIGKILL every tcpdump inside the element's namespace (by pid)
 *   backend-down SERVICE    stop the service backend process; --clear starts it again
 *   adb-disconnect PHONE    pull the phone's "USB cable"; --clear plugs it back
 *   adb-slow PHONE MS       delay every adbd message by MS; --clear sets 0
 *   app-missing PHONE:APP   the app is not installed on the phone (a permanent fault for the
 *                           measurement: pm does not list it, am start fails); --clear installs it
 *   adb-unauthorized PHONE  the phone's USB debugging authorisations revoked (adb_keys emptied,
 *                           the phone re-plugged): `adb devices` shows it unauthorized, the
 *                           driver fails adb_unauthorized; --clear installs the adb server's key
 *   location-provider-missing PHONE  the Appium Settings app (the mock-location provider) is not
 *                           installed: setLocation fails location_provider_missing; --clear installs it
 *   clock-skew PHONE MS     the phone's clock runs MS ahead (date, $EPOCHREALTIME, notification
 *                           times); --clear puts it back in step
 *   ui-dump-flaky PHONE N   the next N `uiautomator dump`s fail with Android's transient errors
 *                           (screen animating); --clear sets 0
 *   screen-locked PHONE [V] screen off with the lock screen up: V 1 (default) with a PIN (the
 *                           driver cannot unlock: screen_locked), V 0 swipe only; --clear: on,
 *                           no lock screen
 *   capture-corrupt ROUTER [N]  the next N (default 2) `cat` reads of a .pcap on the OpenWrt-like
 *                           router flip a byte (a `cat` shim in its BusyBox PATH): the exec fetch
 *                           sees a checksum mismatch, fetches again, then capture_corrupt; --clear
 *   tcpdump-missing ROUTER  tcpdump taken out of the OpenWrt-like router's PATH (never installed
 *                           with opkg): captures fail tool_missing; --clear puts it back
 *   app-version PHONE:APP@VERSION  the app is installed at another version; --clear (PHONE:APP
 *                           or the same target) reinstalls the catalogue's version
 *   sudo-password HOST      the node's or WLAN router's login becomes `matador-nopw`, whose sudo
 *                           wants a password (an admin who forgot NOPASSWD): privileged steps
 *                           fail privilege_denied; --clear logs in as the host's usual user
 *                           (testbed/world/logins.ts) again
 */
import type { FaultKind } from './config';
import { phoneControl } from './phone-daemon';
import { APPIUM_SETTINGS_PACKAGE } from '../phone/location';
import { killInNamespace, terminatePids } from './processes';
import { elementNetns, worldDir, WorldState } from './state';
import { setExtraDelay } from './delays';
import * as path from 'path';
import { toolsBinDir } from '../../lib/project-paths';
import { run } from './sys';
import { setCorruptCat, setToolPresent } from '../dropbear';
import { FAULT_LOGIN_USER, loginUser } from './logins';

export interface FaultRequest {
  kind: FaultKind;
  target: string;
  value?: number;
  clear?: boolean;
}

export interface FaultHooks {
  /** Restarts a service backend (needs the plan; provided by the world module). */
  restartBackend(id: string): Promise<void>;
}

/** Tunnel interface kinds (this kernel may offer only some: VXLAN and TUN exist where GRE does not). */
const TUNNEL_KINDS = new Set(['gre', 'gretap', 'ipip', 'sit', 'ip6gre', 'ip6tnl', 'wireguard', 'vti', 'ip6gretap', 'vxlan', 'geneve', 'tun']);

function findLink(state: WorldState, target: string): WorldState['links'][number] {
  const [a, b] = target.split('~');
  const link =
    b === undefined
      ? state.links.find((l) => l.b === a || l.a === a)
      : state.links.find((l) => (l.a === a && l.b === b) || (l.a === b && l.b === a));
  if (!link) throw new Error(`no link ${target} in world ${state.world} (use ROUTER~ROUTER, e.g. gb~es, or an element id for its access link)`);
  if (b === undefined && state.links.filter((l) => l.b === a).length !== 1) throw new Error(`${target} is not an element with one access link; name the link as A~B`);
  return link;
}

function needNetns(state: WorldState, target: string): string {
  const ns = elementNetns(state, target);
  if (!ns) throw new Error(`no element ${target} in world ${state.world}`);
  return ns;
}

async function lossRules(end: { netns: string; ifname: string }, percent: number | null): Promise<void> {
  for (const chain of ['OUTPUT', 'FORWARD']) {
    // Remove what a previous fault installed on this interface (any probability), then add.
    const listed = await run(['ip', 'netns', 'exec', end.netns, 'iptables', '-w', '-S', chain], { allowFail: true });
    for (const line of listed.stdout.split('\n')) {
      if (!line.includes(`-o ${end.ifname} `) || !line.includes('mt-fault')) continue;
      const args = line.trim().split(/\s+/).slice(1); // drop "-A"
      await run(['ip', 'netns', 'exec', end.netns, 'iptables', '-w', '-D', ...args.map((a) => a.replace(/^"|"$/g, ''))], { allowFail: true });
    }
    if (percent !== null && percent > 0) {
      const p = Math.min(percent, 100) / 100;
      await run(['ip', 'netns', 'exec', end.netns, 'iptables', '-w', '-A', chain, '-o', end.ifname, '-m', 'statistic', '--mode', 'random', '--probability', p.toFixed(4), '-m', 'comment', '--comment', 'mt-fault', '-j', 'DROP']);
    }
  }
}

async function setTunnels(netns: string, up: boolean): Promise<string[]> {
  const r = await run(['ip', '-n', netns, '-d', '-j', 'link', 'show']);
  const links = JSON.parse(r.stdout || '[]') as { ifname: string; linkinfo?: { info_kind?: string } }[];
  const tunnels = links.filter((l) => TUNNEL_KINDS.has(l.linkinfo?.info_kind ?? '')).map((l) => l.ifname);
  if (tunnels.length === 0) throw new Error(`no tunnel interface (${[...TUNNEL_KINDS].join('/')}) in ${netns}`);
  for (const t of tunnels) await run(['ip', '-n', netns, 'link', 'set', 'dev', t, up ? 'up' : 'down']);
  return tunnels;
}

/** The sudo-password fault: the host's SSH endpoint logs in as the user whose sudo wants a password. */
function setSudoPassword(state: WorldState, id: string, on: boolean): string {
  const routers = state.testbeds.flatMap((t) => [t.sides.A.router, t.sides.B.router]);
  const host = state.nodes.find((n) => n.id === id) ?? routers.find((r) => r.id === id);
  if (!host) throw new Error(`sudo-password: no vantage node or WLAN router ${JSON.stringify(id)} in world ${state.world}`);
  if (!host.ssh) throw new Error(`sudo-password: ${id} has no sshd (started with --skip sshd?)`);
  const hosts = { nodes: state.nodes, testbeds: state.testbeds.map((t) => ({ A: t.sides.A.router.id, B: t.sides.B.router.id })) };
  host.ssh.username = on ? FAULT_LOGIN_USER : (loginUser(hosts, id) ?? 'root');
  return `${id}: logs in as ${host.ssh.username}${on ? ' (sudo wants a password)' : ''}`;
}

/** Applies or clears one fault; returns a one-line description of what it did. */
function phoneOf(state: WorldState, id: string, kind: string, target: string): WorldState['testbeds'][number]['sides']['A']['phone'] {
  const phone = state.testbeds.flatMap((t) => [t.sides.A.phone, t.sides.B.phone]).find((p) => p.id === id);
  if (!phone) throw new Error(`${kind}: no phone ${JSON.stringify(id)} in world ${state.world} (target ${JSON.stringify(target)})`);
  return phone;
}

/** The BusyBox PATH of an OpenWrt-like router (faults that change what its login finds). */
function openwrtPathDir(state: WorldState, kind: string, target: string): string {
  const router = state.testbeds.flatMap((t) => [t.sides.A.router, t.sides.B.router]).find((r) => r.id === target);
  if (!router) throw new Error(`${kind}: no WLAN router ${JSON.stringify(target)} in world ${state.world}`);
  const dir = router.ssh?.kind?.pathDir;
  if (!dir) throw new Error(`${kind}: router ${target} is not the OpenWrt-like (Dropbear + BusyBox) router; its login has no BusyBox PATH to change (world key openwrtRouter)`);
  return dir;
}

export async function applyFault(state: WorldState, req: FaultRequest, hooks: FaultHooks): Promise<string> {
  const clear = req.clear === true;
  // The fault list's key: app-version faults are one per PHONE:APP, whatever the version.
  let target = req.target;
  const socket = path.join(worldDir(state.world), 'phones.sock');
  let done: string;
  switch (req.kind) {
    case 'link-loss': {
      const link = findLink(state, req.target);
      if (!clear && (req.value === undefined || req.value <= 0 || req.value > 100)) throw new Error('link-loss needs --value PERCENT (0 < p <= 100)');
      for (const end of link.ends) await lossRules(end, clear ? null : (req.value as number));
      done = clear ? `link ${link.id}: loss cleared` : `link ${link.id}: ${req.value}% loss both ways`;
      break;
    }
    case 'link-delay': {
      const link = findLink(state, req.target);
      if (!clear && (req.value === undefined || req.value <= 0)) throw new Error('link-delay needs --value MS (> 0)');
      for (const end of link.ends) {
        await setExtraDelay({ dir: worldDir(state.world), delays: state.delays, processes: state.processes, netns: end.netns, ifname: end.ifname, extraMs: clear ? null : (req.value as number) });
      }
      done = clear ? `link ${link.id}: extra delay cleared` : `link ${link.id}: +${req.value} ms each way`;
      break;
    }
    case 'tunnel-down': {
      const ns = needNetns(state, req.target);
      const tunnels = await setTunnels(ns, clear);
      done = `${ns}: ${tunnels.join(', ')} ${clear ? 'up' : 'down'}`;
      break;
    }
    case 'tcpdump-kill': {
      if (clear) throw new Error('tcpdump-kill is a one-shot fault: there is nothing to clear');
      const ns = needNetns(state, req.target);
      const killed = await killInNamespace(ns, 'tcpdump');
      return `${ns}: killed ${killed.length} tcpdump process(es)${killed.length ? ` (${killed.join(', ')})` : ''}`;
    }
    case 'backend-down': {
      const svc = state.services.find((s) => s.id === req.target);
      if (!svc) throw new Error(`no service ${req.target} in world ${state.world} (have ${state.services.map((s) => s.id).join(', ')})`);
      if (clear) {
        if (!svc.running) await hooks.restartBackend(svc.id);
        done = `service ${svc.id}: backend running`;
      } else {
        if (svc.pid !== null) await terminatePids([svc.pid]);
        svc.running = false;
        done = `service ${svc.id}: backend stopped`;
      }
      break;
    }
    case 'adb-disconnect':
    case 'adb-slow':
    case 'adb-unauthorized':
    case 'location-provider-missing': {
      const phone = state.testbeds.flatMap((t) => [t.sides.A.phone, t.sides.B.phone]).find((p) => p.id === req.target);
      if (!phone) throw new Error(`no phone ${req.target} in world ${state.world}`);
      if (req.kind === 'adb-disconnect') await phoneControl(socket, { phone: phone.id, op: clear ? 'adb-reconnect' : 'adb-disconnect' });
      else if (req.kind === 'adb-unauthorized') await phoneControl(socket, { phone: phone.id, op: clear ? 'adb-keys-restore' : 'adb-keys-revoke' }, 30_000);
      else if (req.kind === 'location-provider-missing') await phoneControl(socket, { phone: phone.id, op: 'package-installed', package: APPIUM_SETTINGS_PACKAGE.name, installed: clear });
      else {
        if (!clear && (req.value === undefined || req.value <= 0)) throw new Error('adb-slow needs --value MS (> 0)');
        await phoneControl(socket, { phone: phone.id, op: 'adb-delay', ms: clear ? 0 : req.value });
      }
      done = `phone ${phone.id}: ${req.kind}${clear ? ' cleared' : ''}`;
      break;
    }
    case 'clock-skew': {
      const phone = state.testbeds.flatMap((t) => [t.sides.A.phone, t.sides.B.phone]).find((p) => p.id === req.target);
      if (!phone) throw new Error(`no phone ${req.target} in world ${state.world}`);
      if (!clear && (req.value === undefined || req.value <= 0)) throw new Error('clock-skew needs --value MS (> 0: the phone is ahead)');
      await phoneControl(socket, { phone: phone.id, op: 'clock-offset', ms: clear ? 0 : req.value });
      done = `phone ${phone.id}: clock ${clear ? 'in step' : `${req.value} ms ahead`}`;
      break;
    }
    case 'app-missing': {
      const [phoneId, app] = req.target.split(':');
      const phone = state.testbeds.flatMap((t) => [t.sides.A.phone, t.sides.B.phone]).find((p) => p.id === phoneId);
      if (!phone || !app) throw new Error(`app-missing needs TARGET PHONE:APP with a phone of world ${state.world}, got ${JSON.stringify(req.target)}`);
      await phoneControl(socket, { phone: phone.id, op: 'app-installed', app, installed: clear === true });
      done = `phone ${phone.id}: ${app} ${clear ? 'installed' : 'not installed'}`;
      break;
    }
    case 'ui-dump-flaky': {
      const phone = phoneOf(state, req.target, req.kind, req.target);
      if (!clear && (req.value === undefined || !Number.isInteger(req.value) || req.value < 1)) throw new Error('ui-dump-flaky needs --value N (how many dumps fail, an integer >= 1)');
      await phoneControl(socket, { phone: phone.id, op: 'ui-dump-flaky', count: clear ? 0 : req.value });
      done = clear ? `phone ${phone.id}: uiautomator dumps work` : `phone ${phone.id}: the next ${req.value} uiautomator dump(s) fail`;
      break;
    }
    case 'screen-locked': {
      const phone = phoneOf(state, req.target, req.kind, req.target);
      if (req.value !== undefined && req.value !== 0 && req.value !== 1) throw new Error('screen-locked takes --value 1 (a PIN, the default) or 0 (swipe to unlock)');
      const secure = req.value !== 0;
      await phoneControl(socket, { phone: phone.id, op: 'screen-locked', locked: !clear, secure });
      done = clear ? `phone ${phone.id}: screen on, no lock screen` : `phone ${phone.id}: screen off, lock screen ${secure ? 'with a PIN' : 'swipe only'}`;
      break;
    }
    case 'capture-corrupt':
    case 'tcpdump-missing': {
      const pathDir = openwrtPathDir(state, req.kind, req.target);
      if (req.kind === 'capture-corrupt') {
        const reads = clear ? 0 : req.value ?? 2;
        if (!Number.isInteger(reads) || reads < 0) throw new Error('capture-corrupt takes --value N (how many .pcap reads come out corrupt, default 2: the fetch and its retry)');
        await setCorruptCat(pathDir, reads);
        done = clear ? `router ${req.target}: cat reads captures faithfully` : `router ${req.target}: the next ${reads} cat read(s) of a .pcap are corrupt`;
      } else {
        await setToolPresent(pathDir, 'tcpdump', clear, [toolsBinDir]);
        done = `router ${req.target}: tcpdump ${clear ? 'installed' : 'not installed (opkg remove tcpdump)'}`;
      }
      break;
    }
    case 'sudo-password': {
      done = setSudoPassword(state, req.target, !clear);
      break;
    }
    case 'app-version': {
      const m = /^([^:]+):([a-z]+)(?:@(\S+))?$/.exec(req.target);
      if (!m || (!clear && m[3] === undefined)) throw new Error(`app-version needs TARGET PHONE:APP@VERSION (e.g. tb1-pa:whatsapp@2.11.0), got ${JSON.stringify(req.target)}`);
      const phone = phoneOf(state, m[1], req.kind, req.target);
      target = `${phone.id}:${m[2]}`;
      await phoneControl(socket, { phone: phone.id, op: 'app-version', app: m[2], version: clear ? null : m[3] });
      done = clear ? `phone ${phone.id}: ${m[2]} at its catalogue version` : `phone ${phone.id}: ${m[2]} at version ${m[3]}`;
      break;
    }
  }
  state.faults = state.faults.filter((f) => !(f.kind === req.kind && f.target.split('@')[0] === target));
  if (!clear) state.faults.push({ kind: req.kind, target: req.target, value: req.value ?? null, since: new Date().toISOString() });
  return done;
}
