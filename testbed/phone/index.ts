/**
 * Virtual Android phones for the emulated testbed.
 *
 * API (used by the world builder; everything the phone driver does goes through real adb):
 *
 *   const phone = await startVirtualPhone({
 *     name: 'mt-phone-a',            // used in the serial banner and as the app account name
 *     netns: 'mt-phone-a',           // the phone's network namespace (must exist, with its WLAN link)
 *     adbPort: 5561,                 // adbd listens on 127.0.0.1:<adbPort> in the HOST namespace ("USB cable")
 *     stateDir: '/path/to/dir',      // phone file system (/sdcard ...), app logs, control socket (created)
 *     apps: ['threema', { app: 'whatsapp', peer: 'mt-phone-b' }],
 *     peer: 'mt-phone-b',            // default chat partner (the other phone's account/name)
 *     peerName: 'MATAdOR B',         // contact name shown for the partner (configs/apps tap 'MATAdOR ${peer}')
 *     dnsServers: ['198.18.1.1'],    // the resolver the router hands out (the apps use it)
 *     wlanInterface: 'wlan0',        // optional: default = first non-lo interface in netns
 *     adbConnect: true,              // optional: run `adb connect` for the caller (default false)
 *     adbKeys: [line, ...],          // optional: the phone's /data/misc/adb/adb_keys (default: the
 *                                    //   local adb server's ~/.android/adbkey.pub: a phone that trusts us)
 *     acceptUsbDebugging: false,     // optional: tap "Allow" when an unknown key asks (default false)
 *   });
 *   phone.serial        // '127.0.0.1:5561' (what `adb devices` lists)
 *   await phone.stop()  // kills app processes, closes adbd, `adb disconnect`s its serial, brings WLAN back up
 *
 *   Fault / control API (phone.faults):
 *     await phone.faults.adbDisconnect()     // cable pulled: transports dropped, port closed
 *     await phone.faults.adbReconnect()      // cable back (then `adb connect` again)
 *     await phone.faults.revokeAdbAuthorizations()  // adb_keys emptied, transports dropped and
 *                                            // re-connected: `adb devices` shows it unauthorized
 *     await phone.faults.authorizeAdbKey(line)       // the key joins adb_keys, re-connected: online
 *     phone.faults.acceptUsbDebuggingPrompt()        // tap "Allow" on showing prompts (returns how many)
 *     phone.faults.setAdbDelay(ms)           // every adbd message delayed by ms (0 = off)
 *     phone.faults.setAppInstalled(app, false)  // hide an app as if not installed (am start fails, pm lacks it)
 *     phone.faults.setPackageInstalled('io.appium.settings', false)  // the same for a helper package
 *     await phone.faults.killApp(app)        // app process dies (like a crash)
 *     phone.faults.setClockOffset(ms)        // the phone's clock runs ms ahead (negative: behind)
 *     phone.faults.setUiDumpFlaky(n)         // the next n uiautomator dumps fail as while animating
 *     phone.faults.setScreenLocked(true, secure)  // screen off + keyguard (secure: PIN); false = on, unlocked
 *     phone.faults.setAppVersion(app, '1.0') // the app reports another versionName (null: back)
 *   Inspection (in-process only, not on the device): phone.messages() (sent/received records),
 *   phone.appStatus(app), phone.device.
 *
 * Over adb the phone offers what drivers/phone uses: getprop, settings, svc wifi, am start/
 * force-stop/broadcast, monkey, pm list packages/path, dumpsys package/window/location, ime,
 * input text/tap/keyevent, screencap, uiautomator dump, iptables/ip6tables (root: `su -c`),
 * appops, am startservice/start-foreground-service (the Appium Settings LocationService, location.ts),
 * echo/cat/ls/rm/mkdir/touch/grep/id/date/sleep/sh -c; `sync:` STAT/LIST/RECV/SEND.
 * Messages show as the apps show them: bubbles with the app's status marker in the chat
 * (`uiautomator dump`), a notification when the chat is not open (`dumpsys notification`, in
 * Android 5.0's format). `date` answers as Android 5's toolbox date (bionic strftime: no %N)
 * and the shell has mksh's $EPOCHREALTIME. `dumpsys matador` (virtual only) prints the app
 * process states for world health checks.
 * The state dir's parents must be searchable by other users (the app uids).
 *
 * The shell never reaches a real shell: sh-parse.ts + built-ins (commands.ts, android-commands.ts).
 * Each app is a real process in the phone's namespace under its own uid (catalogue.ts: 10061..10064),
 * so `iptables -m owner --uid-owner` in the phone namespace really applies to it.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as net from 'net';
import { Adbd } from './adbd';
import { adbServerPublicKey } from './adb-server-key';
import { MessageRecord, PhoneAppOptions, VirtualDevice } from './device';
import type { AppStatus } from './app-host';
import type { ServiceApp } from '../services/catalogue';
import { SERVICE_SHAPES } from '../services/catalogue';

export type { MessageRecord, PhoneAppOptions } from './device';

const execFileAsync = promisify(execFile);

export interface StartVirtualPhoneOptions {
  name: string;
  netns: string;
  adbPort: number;
  stateDir: string;
  apps: Array<ServiceApp | PhoneAppOptions>;
  peer?: string;
  /** Contact name of the partner in the apps' UI (default "MATAdOR <peer>"). */
  peerName?: string;
  account?: string;
  dnsServers?: string[];
  wlanInterface?: string;
  /** Advertise shell_v2 (default true). false = strict Android 5 behaviour (no exit codes over adb). */
  shellV2?: boolean;
  keepAliveMs?: number;
  adbConnect?: boolean;
  adbHost?: string;
  /** Lines of the phone's adb_keys (default: the local adb server's public key). */
  adbKeys?: string[];
  /** Tap "Allow" on the "Allow USB debugging?" prompt (default false: the device stays unauthorized). */
  acceptUsbDebugging?: boolean;
  /** Build properties over the Moto E's (e.g. ro.build.version.sdk for a newer Android's location stack). */
  props?: Record<string, string>;
}

export interface PhoneFaultControl {
  adbDisconnect(): Promise<void>;
  adbReconnect(): Promise<void>;
  setAdbDelay(ms: number): void;
  revokeAdbAuthorizations(): Promise<void>;
  authorizeAdbKey(line: string): Promise<void>;
  acceptUsbDebuggingPrompt(): number;
  setAppInstalled(app: ServiceApp, installed: boolean): void;
  setPackageInstalled(pkg: string, installed: boolean): void;
  /** The phone's clock runs `ms` ahead of the host's (negative: behind; 0: in step). */
  setClockOffset(ms: number): void;
  killApp(app: ServiceApp): Promise<void>;
  /** The next `count` uiautomator dumps fail with Android's transient errors (0 = off). */
  setUiDumpFlaky(count: number): void;
  /** Screen off with a keyguard (secure: with a PIN the driver cannot dismiss); false = on, no lock screen. */
  setScreenLocked(locked: boolean, secure?: boolean): void;
  /** The app installed at another version (null: the catalogue's version again). */
  setAppVersion(app: ServiceApp, version: string | null): void;
}

export interface VirtualPhone {
  name: string;
  serial: string;
  device: VirtualDevice;
  faults: PhoneFaultControl;
  messages(): MessageRecord[];
  appStatus(app: ServiceApp): AppStatus | undefined;
  stop(): Promise<void>;
}

/** `adb connect host:port` on the real adb server; returns adb's output line. */
export async function adbConnect(serial: string): Promise<string> {
  const { stdout } = await execFileAsync('adb', ['connect', serial], { timeout: 15_000 });
  return stdout.trim();
}

/**
 * `adb disconnect host:port` when an adb server runs. Without one there is nothing to disconnect,
 * and the adb client would start a server for it (as every adb command does), which then outlived
 * `testbed down` and the benches.
 */
export async function adbDisconnect(serial: string): Promise<void> {
  if (!(await adbServerListening())) return;
  await execFileAsync('adb', ['disconnect', serial], { timeout: 15_000 }).catch(() => undefined);
}

/** Does an adb server listen where the adb client looks (ANDROID_ADB_SERVER_PORT, default 5037)? */
export function adbServerListening(port = Number(process.env.ANDROID_ADB_SERVER_PORT || 5037)): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(2000, () => done(false));
  });
}

export async function startVirtualPhone(opts: StartVirtualPhoneOptions): Promise<VirtualPhone> {
  if (!/^[A-Za-z0-9_.-]+$/.test(opts.netns)) throw new Error(`startVirtualPhone: invalid netns name '${opts.netns}'`);
  if (!Number.isInteger(opts.adbPort) || opts.adbPort < 1024 || opts.adbPort > 65535) throw new Error(`startVirtualPhone: invalid adbPort ${opts.adbPort}`);
  const nsCheck = await execFileAsync('ip', ['netns', 'exec', opts.netns, 'true']).then(() => true, () => false);
  if (!nsCheck) throw new Error(`startVirtualPhone(${opts.name}): network namespace '${opts.netns}' does not exist`);
  fs.mkdirSync(opts.stateDir, { recursive: true });
  const apps: PhoneAppOptions[] = opts.apps.map((a) => (typeof a === 'string' ? { app: a } : a));
  for (const a of apps) if (!SERVICE_SHAPES[a.app]) throw new Error(`startVirtualPhone(${opts.name}): unknown app '${a.app}'`);
  const device = new VirtualDevice({
    name: opts.name,
    netns: opts.netns,
    stateDir: opts.stateDir,
    account: opts.account ?? opts.name,
    peer: opts.peer ?? '',
    peerName: opts.peerName ?? `MATAdOR ${opts.peer ?? ''}`.trim(),
    apps,
    dnsServers: opts.dnsServers,
    wlanInterface: opts.wlanInterface,
    keepAliveMs: opts.keepAliveMs,
    props: opts.props,
  });
  for (const line of opts.adbKeys ?? [await adbServerPublicKey()]) device.authorizeAdbKey(line);
  device.faults.acceptUsbDebugging = opts.acceptUsbDebugging === true;
  const host = opts.adbHost ?? '127.0.0.1';
  const adbd = new Adbd(device, { host, port: opts.adbPort, shellV2: opts.shellV2 ?? true });
  await adbd.listen();
  try {
    await device.boot();
  } catch (err) {
    await adbd.close();
    throw err;
  }
  const serial = `${host}:${opts.adbPort}`;
  if (opts.adbConnect) await adbConnect(serial);
  let stopped = false;
  const setPackageInstalled = (pkg: string, installed: boolean): void => {
    if (installed) device.faults.notInstalled.delete(pkg);
    else device.faults.notInstalled.add(pkg);
  };
  // The phone re-plugged: the adb server forgets the transport and handshakes anew.
  const replug = async (): Promise<void> => {
    adbd.dropTransports();
    await adbDisconnect(serial);
    await adbConnect(serial).catch(() => undefined);
  };
  return {
    name: opts.name,
    serial,
    device,
    faults: {
      adbDisconnect: async () => {
        device.faults.adbDisconnected = true;
        await adbd.unplug();
      },
      adbReconnect: async () => {
        device.faults.adbDisconnected = false;
        await adbd.plug();
      },
      setAdbDelay: (ms) => {
        device.faults.adbDelayMs = Math.max(0, ms);
      },
      revokeAdbAuthorizations: async () => {
        device.revokeAdbKeys();
        await replug();
      },
      authorizeAdbKey: async (line) => {
        device.authorizeAdbKey(line);
        await replug();
      },
      acceptUsbDebuggingPrompt: () => adbd.acceptPrompts(),
      setAppInstalled: (app, installed) => setPackageInstalled(SERVICE_SHAPES[app].packageName, installed),
      setPackageInstalled: (pkg, installed) => setPackageInstalled(pkg, installed),
      killApp: (app) => device.appHost.forceStop(app),
      setClockOffset: (ms) => {
        device.faults.clockOffsetMs = ms;
      },
      setUiDumpFlaky: (count) => {
        device.faults.uiDumpFailures = Math.max(0, Math.floor(count));
      },
      setScreenLocked: (locked, secure = true) => {
        if (locked) device.power.lock(secure);
        else device.power.unlock();
      },
      setAppVersion: (app, version) => {
        const pkg = SERVICE_SHAPES[app].packageName;
        if (version === null) device.faults.versions.delete(pkg);
        else device.faults.versions.set(pkg, version);
      },
    },
    messages: () => [...device.messages],
    appStatus: (app) => device.appStatus(app),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await adbDisconnect(serial);
      await adbd.close();
      await device.shutdown();
    },
  };
}
