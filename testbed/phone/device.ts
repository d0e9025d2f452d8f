/**
 * State of one virtual phone: build properties, settings, installed packages, screen, the
 * app processes, the message log, the phone's file system (a directory under stateDir), WLAN
 * state and injected faults. The shell built-ins (commands.ts) operate on this object.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { SERVICE_SHAPES, ServiceApp, ServiceShape, serviceShape } from '../services/catalogue';
import { AppHost, AppStatus } from './app-host';
import { PhoneUi } from './ui';
import { ScreenPower } from './power';
import { WlanControl, firstInterface } from './netns';
import { MESSAGE_LOG_PATH, type PhoneMessage } from '../../drivers/phone/message-log';

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
  /** The next N `uiautomator dump`s fail with Android's transient errors (screen animating). */
  uiDumpFailures: number;
  /** Packages installed at another version than the catalogue's (package -> versionName). */
  versions: Map<string, string>;
}

/** One line of the phone's message log: the record drivers/phone reads, less the event that the
 *  app host adds when it writes the line. */
export type MessageRecord = Omit<PhoneMessage, 'event'>;

export const MESSAGE_LOG = MESSAGE_LOG_PATH;

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
  readonly faults: PhoneFaults = { adbDisconnected: false, adbDelayMs: 0, notInstalled: new Set(), uiDumpFailures: 0, versions: new Map() };
  readonly ui: PhoneUi;
  /** Screen on/off and keyguard (on and unlocked: the lab set Stay awake and no lock screen). */
  readonly power = new ScreenPower();
  readonly appHost: AppHost;
  readonly wlan: WlanControl;
  readonly messages: MessageRecord[] = [];
  readonly fsRoot: string;
  wifiEnabled = true;

  constructor(readonly opts: DeviceOptions) {
    this.fsRoot = path.join(opts.stateDir, 'fs');
    for (const dir of ['sdcard/matador', 'data/local/tmp', 'system/bin']) fs.mkdirSync(path.join(this.fsRoot, dir), { recursive: true });
    fs.writeFileSync(path.join(this.fsRoot, MESSAGE_LOG.slice(1)), '');
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
    });
    this.appHost = new AppHost(
      { netns: opts.netns, stateDir: opts.stateDir, account: opts.account, dnsServers: opts.dnsServers, keepAliveMs: opts.keepAliveMs, location: () => this.settings.secure.get('matador_mock_location') ?? null },
      {
        onReceived: (app, m) => this.recordMessage({ direction: 'in', app, id: m.id, peer: m.from, text: m.text, sentAt: m.sentAt, receivedAt: m.receivedAt }),
        onSent: (app, id, ackedAt) => {
          const rec = this.messages.find((r) => r.id === id && r.direction === 'out');
          if (rec) {
            rec.ackedAt = ackedAt;
            this.appendLog({ ...rec, event: 'acked' });
            const line = this.ui.chatLines(app).find((l) => l.direction === 'out' && l.status === `pending:${id}`);
            if (line) line.status = 'sent';
          }
        },
      },
    );
    this.wlan = new WlanControl(opts.netns, async () => opts.wlanInterface ?? firstInterface(opts.netns));
  }

  installedApps(): PhoneAppOptions[] {
    return this.opts.apps.filter((a) => !this.faults.notInstalled.has(SERVICE_SHAPES[a.app].packageName));
  }

  /** Installed package names (the messaging apps plus the system packages every phone has). */
  packages(): Array<{ name: string; uid: number; shape?: ServiceShape }> {
    const system = [
      { name: 'android', uid: 1000 },
      { name: 'com.android.settings', uid: 1000 },
      { name: 'com.android.systemui', uid: 10013 },
      { name: 'com.android.launcher3', uid: 10020 },
      { name: 'com.google.android.gms', uid: 10014 },
      { name: 'com.android.adbkeyboard', uid: 10090 },
    ];
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
    if (!this.appHost.send(app, { id, to: rec.peer, text, sentAt: rec.sentAt })) {
      this.ui.chatLines(app).push({ direction: 'out', text, status: 'failed' });
      this.appendLog({ ...rec, event: 'send-failed-app-not-running' });
      return;
    }
    this.ui.chatLines(app).push({ direction: 'out', text, status: `pending:${id}` });
    this.recordMessage(rec);
  }

  private recordMessage(rec: MessageRecord): void {
    this.messages.push(rec);
    if (rec.direction === 'in') this.ui.chatLines(rec.app).push({ direction: 'in', text: rec.text, status: 'received' });
    this.appendLog({ ...rec, event: rec.direction === 'in' ? 'received' : 'sent' });
  }

  private appendLog(value: Record<string, unknown>): void {
    fs.appendFileSync(path.join(this.fsRoot, MESSAGE_LOG.slice(1)), `${JSON.stringify(value)}\n`);
  }

  appStatus(app: string): AppStatus | undefined {
    return this.appHost.status.get(app);
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
  }
}
