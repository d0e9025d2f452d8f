/**
 * State of one virtual phone: build properties, settings, installed packages, screen, the
 * app processes, the notifications, the phone's clock, the phone's file system (a directory
 * under stateDir), WLAN state and injected faults. The shell built-ins (commands.ts) operate on
 * this object. Sent and received messages are kept in memory for tests (`messages`, an
 * in-process API): the phone writes no file a real Android would not have — what the driver
 * sees are the chat's bubbles and the notifications, as on a real phone.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { SERVICE_SHAPES, ServiceApp, ServiceShape, serviceShape } from '../services/catalogue';
import { AppHost, AppStatus } from './app-host';
import { PhoneUi } from './ui';
import { ScreenPower } from './power';
import { WlanControl, firstInterface } from './netns';
import { NetnsShell } from './netns-shell';
import { ADB_KEYS_PATH, parseAdbKeys, type AdbPublicKey } from './adb-keys';
import { APPIUM_SETTINGS_PACKAGE, newLocationState } from './location';
import { NotificationList } from './notifications';

/** How far the monotonic clock may drift from the host's wall clock before now() re-anchors. */
const WALL_CLOCK_TOLERANCE_MS = 2;

export interface PhoneAppOptions {
  app: ServiceApp;
  /** The chat partner's account (default: the phone's `peer`). */
  peer?: string;
  /** Contact name of the chat partner in this app (default: the phone's `peerName`). */
  peerName?: string;
  /** Start the app's background process at boot (default true, as a real phone does). */
  autoStart?: boolean;
}

export interface PhoneFaults {
  /** adbd drops every transport and refuses new ones ("cable pulled"). */
  adbDisconnected: boolean;
  /** Delay before each message adbd sends, in ms. */
  adbDelayMs: number;
  /** Packages hidden as if not installed. */
  notInstalled: Set<string>;
  /** Someone taps "Allow" on the "Allow USB debugging?" prompt (with "Always allow": the key is kept). */
  acceptUsbDebugging: boolean;
  /** The phone's clock runs this many ms ahead of the host's (negative: behind): world fault clock-skew. */
  clockOffsetMs: number;
  /** The next N `uiautomator dump`s fail with Android's transient errors (screen animating). */
  uiDumpFailures: number;
  /** Packages installed at another version than the catalogue's (package -> versionName). */
  versions: Map<string, string>;
}

/** A message the phone's apps sent or received (in-process inspection for tests; times on the
 *  host clock). */
export interface MessageRecord {
  direction: 'in' | 'out';
  app: string;
  id: string;
  peer: string;
  text: string;
  sentAt: string;
  receivedAt?: string;
  ackedAt?: string;
  /** The app could not send it (its process was not running). */
  failed?: boolean;
}

export interface DeviceOptions {
  name: string;
  netns: string;
  stateDir: string;
  account: string;
  peer: string;
  peerName: string;
  apps: PhoneAppOptions[];
  dnsServers?: string[];
  wlanInterface?: string;
  keepAliveMs?: number;
  props?: Record<string, string>;
}

export class VirtualDevice {
  readonly props: Record<string, string>;
  readonly settings: Record<'global' | 'secure' | 'system', Map<string, string>> = { global: new Map(), secure: new Map(), system: new Map() };
  readonly faults: PhoneFaults = { adbDisconnected: false, adbDelayMs: 0, notInstalled: new Set(), acceptUsbDebugging: false, clockOffsetMs: 0, uiDumpFailures: 0, versions: new Map() };
  readonly notifications = new NotificationList();
  /** Host time of boot: SystemClock.elapsedRealtime() counts from here. */
  private readonly bootedAtMs = Date.now();
  /** What now() adds to the monotonic clock to stay on the host's wall clock. */
  private wallAnchorMs = 0;
  readonly ui: PhoneUi;
  /** Screen on/off and keyguard (on and unlocked: the lab set Stay awake and no lock screen). */
  readonly power = new ScreenPower();
  readonly appHost: AppHost;
  readonly wlan: WlanControl;
  /** The phone's root shell for its own network commands (firewall, WLAN). */
  readonly net: NetnsShell;
  readonly messages: MessageRecord[] = [];
  readonly fsRoot: string;
  /** Mock fix and app ops (location.ts). */
  readonly location = newLocationState();
  wifiEnabled = true;

  constructor(readonly opts: DeviceOptions) {
    this.fsRoot = path.join(opts.stateDir, 'fs');
    for (const dir of ['sdcard', 'data/local/tmp', 'system/bin', 'data/misc/adb']) fs.mkdirSync(path.join(this.fsRoot, dir), { recursive: true });
    this.props = {
      'ro.build.version.release': '5.0.2',
      'ro.build.version.sdk': '21',
      'ro.build.id': 'LXI22.50-53.1',
      'ro.build.type': 'user',
      'ro.build.tags': 'release-keys',
      'ro.product.manufacturer': 'motorola',
      'ro.product.brand': 'motorola',
      'ro.product.model': 'Moto E (2nd gen) (virtual)',
      'ro.product.name': 'otus_retde',
      'ro.product.device': 'otus',
      'ro.serialno': `virtual-${opts.name}`,
      'ro.debuggable': '0',
      'ro.secure': '1',
      'ro.adb.secure': '1',
      'persist.sys.timezone': 'UTC',
      'gsm.sim.state': 'ABSENT',
      'wifi.interface': 'wlan0',
      'matador.virtual': '1',
      ...opts.props,
    };
    this.settings.global.set('airplane_mode_on', '0');
    this.settings.global.set('airplane_mode_radios', 'cell,bluetooth,wifi,nfc,wimax');
    this.settings.global.set('wifi_on', '1');
    this.settings.global.set('adb_enabled', '1');
    this.settings.secure.set('location_providers_allowed', 'gps,network');
    this.settings.secure.set('mock_location', '0');
    this.settings.secure.set('android_id', randomUUID().replace(/-/g, '').slice(0, 16));
    this.settings.system.set('screen_off_timeout', '600000');
    this.ui = new PhoneUi(() => this.installedApps().map((a) => ({ shape: serviceShape(a.app), peerName: a.peerName ?? opts.peerName })), {
      launch: (app) => this.startApp(app),
      send: (app, text) => this.sendMessage(app, text),
      // Opening a chat clears the app's notifications (the messages are read now).
      chatOpened: (app) => this.notifications.cancelAll(serviceShape(app).packageName),
    });
    this.appHost = new AppHost(
      { netns: opts.netns, stateDir: opts.stateDir, account: opts.account, dnsServers: opts.dnsServers, keepAliveMs: opts.keepAliveMs, location: () => (this.location.fix ? `${this.location.fix.latitude.toFixed(6)},${this.location.fix.longitude.toFixed(6)}` : null) },
      {
        onReceived: (app, m) => this.recordMessage({ direction: 'in', app, id: m.id, peer: m.from, text: m.text, sentAt: m.sentAt, receivedAt: m.receivedAt }),
        onSent: (app, id, ackedAt) => {
          const rec = this.messages.find((r) => r.id === id && r.direction === 'out');
          if (rec) rec.ackedAt = ackedAt;
          // The server has it: the bubble's clock becomes the app's "sent" tick.
          const line = this.ui.chatLines(app).find((l) => l.direction === 'out' && l.id === id);
          if (line) line.status = 'sent';
        },
      },
    );
    this.net = new NetnsShell(`/run/netns/${opts.netns}`);
    const run = (argv: string[]) => this.net.run(argv);
    this.wlan = new WlanControl(opts.netns, run, async () => opts.wlanInterface ?? firstInterface(run));
  }

  installedApps(): PhoneAppOptions[] {
    return this.opts.apps.filter((a) => !this.faults.notInstalled.has(SERVICE_SHAPES[a.app].packageName));
  }

  /** Installed package names (the messaging apps, the system packages every phone has, and the
   *  lab's helper apps: ADBKeyboard, Appium Settings — hidden like apps by the notInstalled fault). */
  packages(): Array<{ name: string; uid: number; shape?: ServiceShape; versionName?: string; versionCode?: number }> {
    const system = [
      { name: 'android', uid: 1000 },
      { name: 'com.android.settings', uid: 1000 },
      { name: 'com.android.systemui', uid: 10013 },
      { name: 'com.android.launcher3', uid: 10020 },
      { name: 'com.google.android.gms', uid: 10014 },
      { name: 'com.android.adbkeyboard', uid: 10090 },
      APPIUM_SETTINGS_PACKAGE,
    ].filter((p) => !this.faults.notInstalled.has(p.name));
    return [...system, ...this.installedApps().map((a) => ({ name: SERVICE_SHAPES[a.app].packageName, uid: SERVICE_SHAPES[a.app].uid, shape: SERVICE_SHAPES[a.app] }))];
  }

  appByPackage(pkg: string): ServiceShape | undefined {
    return this.packages().find((p) => p.name === pkg)?.shape;
  }

  async boot(): Promise<void> {
    await this.appHost.start();
    for (const a of this.installedApps()) if (a.autoStart !== false) this.appHost.launch(serviceShape(a.app));
  }

  startApp(app: string): void {
    const shape = serviceShape(app);
    this.appHost.launch(shape);
    this.ui.showApp(app);
  }

  peerOf(app: string): string {
    return this.opts.apps.find((a) => a.app === app)?.peer ?? this.opts.peer;
  }

  sendMessage(app: string, text: string): void {
    const id = randomUUID();
    const rec: MessageRecord = { direction: 'out', app, id, peer: this.peerOf(app), text, sentAt: new Date().toISOString() };
    // The bubble shows at once with the pending clock; an app that is not running never sends it.
    this.ui.chatLines(app).push({ direction: 'out', text, status: 'pending', id });
    if (!this.appHost.send(app, { id, to: rec.peer, text, sentAt: rec.sentAt })) rec.failed = true;
    this.messages.push(rec);
  }

  private recordMessage(rec: MessageRecord): void {
    // An app keeps one copy per message id (its database): a backend that redelivers what a
    // killed process had shown but not acknowledged adds no second bubble.
    if (rec.direction === 'in' && this.messages.some((r) => r.direction === 'in' && r.app === rec.app && r.id === rec.id)) return;
    this.messages.push(rec);
    if (rec.direction !== 'in') return;
    this.ui.chatLines(rec.app).push({ direction: 'in', text: rec.text, status: 'received' });
    // The chat on screen shows the message; otherwise the app notifies.
    const s = this.ui.screen;
    if (s.kind !== 'chat' || s.app !== rec.app) {
      const sender = this.opts.apps.find((a) => a.app === rec.app)?.peerName ?? this.opts.peerName;
      this.notifications.post(serviceShape(rec.app), sender, rec.text, this.now(), this.elapsedRealtime());
    }
  }

  /**
   * The phone's wall clock (System.currentTimeMillis, with sub-ms precision), ms. A phone with
   * automatic date & time keeps to network time as the controller does, and here both share the
   * host's clock: performance.now() gives the sub-ms part, re-anchored on the host's wall clock
   * whenever that was stepped (NTP, a virtual machine resumed after a pause), which the monotonic
   * clock alone would turn into a skew the phone does not have (world fault clock-skew makes one).
   */
  now(): number {
    const wall = Date.now();
    let t = performance.timeOrigin + performance.now() + this.wallAnchorMs;
    if (Math.abs(t - wall) > WALL_CLOCK_TOLERANCE_MS) {
      this.wallAnchorMs += wall - t;
      t = wall;
    }
    return t + this.faults.clockOffsetMs;
  }

  /** SystemClock.elapsedRealtime(): ms since boot. */
  elapsedRealtime(): number {
    return Date.now() - this.bootedAtMs;
  }

  appStatus(app: string): AppStatus | undefined {
    return this.appHost.status.get(app);
  }

  private adbKeysFile(): string {
    return path.join(this.fsRoot, ADB_KEYS_PATH.slice(1));
  }

  /** The keys adbd accepts (read on every handshake, as adbd's load_keys() does). */
  adbKeys(): AdbPublicKey[] {
    try {
      return parseAdbKeys(fs.readFileSync(this.adbKeysFile(), 'utf8'));
    } catch {
      return [];
    }
  }

  /** Append a key line to adb_keys (what the accepted prompt does); one line, whatever it holds. */
  authorizeAdbKey(line: string): void {
    fs.appendFileSync(this.adbKeysFile(), `${line.split('\n')[0].trim()}\n`, { mode: 0o640 });
  }

  /** Developer options > "Revoke USB debugging authorisations": adb_keys is emptied. */
  revokeAdbKeys(): void {
    fs.rmSync(this.adbKeysFile(), { force: true });
  }

  /** Map a phone path to the host file inside fsRoot; null when it would escape. */
  hostPath(phonePath: string): string | null {
    if (!phonePath.startsWith('/')) phonePath = `/data/local/tmp/${phonePath}`;
    const norm = path.posix.normalize(phonePath);
    const mapped = norm.startsWith('/storage/emulated/0') ? norm.replace('/storage/emulated/0', '/sdcard') : norm;
    const host = path.join(this.fsRoot, mapped);
    return host === this.fsRoot || host.startsWith(this.fsRoot + path.sep) ? host : null;
  }

  async shutdown(): Promise<void> {
    await this.appHost.stop();
    if (!this.wlan.isUp()) await this.wlan.setUp(true);
    await this.net.close();
  }
}
