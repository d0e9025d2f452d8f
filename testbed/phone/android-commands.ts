/**
 * Android framework commands of the virtual phone (Android 5.0.2 output formats and quirks):
 * getprop, settings, svc, am, pm, input, ime, screencap, uiautomator, dumpsys, wm, iptables.
 *
 * Quirks reproduced on purpose, because the driver must cope with them on a real device:
 * - `input` is a shell script that runs `app_process ... $*`: its arguments are split again
 *   at blanks and glob characters are expanded; in `input text`, `%s` becomes a space and
 *   characters the virtual keyboard map cannot produce (anything outside printable ASCII)
 *   make it throw without typing anything.
 * - `am start` of a missing activity prints "Error: ..." and still exits 0.
 * - `iptables` needs root (`su -c`), as on a production build where adbd runs as "shell".
 */
import * as fs from 'fs';
import * as path from 'path';
import { Builtin, result, ShellResult } from './builtin';
import { TextCanvas } from './png';
import { SCREEN_HEIGHT, SCREEN_WIDTH } from './ui';
import { amStartService, appops, dumpsysLocation } from './location';

const KEYCODES: Record<string, number> = {
  KEYCODE_HOME: 3, KEYCODE_BACK: 4, KEYCODE_POWER: 26, KEYCODE_ENTER: 66, KEYCODE_DEL: 67, KEYCODE_TAB: 61, KEYCODE_SPACE: 62, KEYCODE_MENU: 82, KEYCODE_SLEEP: 223, KEYCODE_WAKEUP: 224,
};

/** What Android 5's DumpCommand prints (stderr, exit 0, no file) when the window is changing or the screen is off. */
const DUMP_NULL_ROOT = 'ERROR: null root node returned by UiTestAutomationBridge.\n';
const DUMP_NOT_IDLE = 'ERROR: could not get idle state.\n';

const getprop: Builtin = (argv, ctx) => {
  if (argv[1]) return result(`${ctx.dev.props[argv[1]] ?? argv[2] ?? ''}\n`);
  return result(Object.keys(ctx.dev.props).sort().map((k) => `[${k}]: [${ctx.dev.props[k]}]\n`).join(''));
};

async function applyAirplaneMode(ctx: Parameters<Builtin>[1]): Promise<string | null> {
  const on = ctx.dev.settings.global.get('airplane_mode_on') === '1';
  const radios = ctx.dev.settings.global.get('airplane_mode_radios') ?? '';
  if (on && radios.split(',').includes('wifi')) ctx.dev.wifiEnabled = false;
  if (!on) ctx.dev.wifiEnabled = true;
  ctx.dev.settings.global.set('wifi_on', ctx.dev.wifiEnabled ? '1' : '0');
  return ctx.dev.wlan.setUp(ctx.dev.wifiEnabled);
}

const settingsCmd: Builtin = (argv, ctx) => {
  let args = argv.slice(1);
  if (args[0] === '--user') args = args.slice(2);
  const [verb, ns, key, ...rest] = args;
  const table = ctx.dev.settings[ns as 'global' | 'secure' | 'system'];
  const usage = 'usage:  settings [--user NUM] get namespace key\n        settings [--user NUM] put namespace key value\n        settings [--user NUM] delete namespace key\n        settings [--user NUM] list namespace\n\n\'namespace\' is one of {system, secure, global}, case-insensitive\n';
  if (!table) return result('', `Invalid namespace '${ns ?? ''}'\n${usage}`, 1);
  if (verb === 'list') return result([...table.entries()].sort().map(([k, v]) => `${k}=${v}\n`).join(''));
  if (!key) return result('', usage, 1);
  if (verb === 'get') return result(`${table.get(key) ?? 'null'}\n`);
  if (verb === 'delete') {
    table.delete(key);
    return result();
  }
  if (verb === 'put' && rest.length >= 1) {
    let value = rest.join(' ');
    if (ns === 'secure' && key === 'location_providers_allowed' && /^[+-]/.test(value)) {
      // Android 5: "+gps" enables, "-gps" disables one provider.
      const set = new Set((table.get(key) ?? '').split(',').filter(Boolean));
      for (const item of value.split(',')) {
        if (item.startsWith('+')) set.add(item.slice(1));
        else if (item.startsWith('-')) set.delete(item.slice(1));
      }
      value = [...set].join(',');
    }
    table.set(key, value);
    return result();
  }
  return result('', usage, 1);
};

const svc: Builtin = async (argv, ctx) => {
  if (argv[1] === 'wifi' && (argv[2] === 'enable' || argv[2] === 'disable')) {
    ctx.dev.wifiEnabled = argv[2] === 'enable';
    ctx.dev.settings.global.set('wifi_on', ctx.dev.wifiEnabled ? '1' : '0');
    const err = await ctx.dev.wlan.setUp(ctx.dev.wifiEnabled);
    return err ? result('', `svc wifi: ${err}\n`, 1) : result();
  }
  if (argv[1] === 'data' && (argv[2] === 'enable' || argv[2] === 'disable')) return result(); // no SIM: nothing to switch
  return result('Available commands:\n    help     Show information about the subcommands\n    power    Control the power manager\n    data     Control mobile data connectivity\n    wifi     Control the Wi-Fi manager\n    usb      Control Usb state\n');
};

function parseComponent(comp: string): { pkg: string; cls: string } | null {
  const m = /^([A-Za-z0-9_.]+)\/([A-Za-z0-9_.$]+)$/.exec(comp);
  if (!m) return null;
  return { pkg: m[1], cls: m[2].startsWith('.') ? m[1] + m[2] : m[2] };
}

const am: Builtin = async (argv, ctx) => {
  const sub = argv[1];
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (sub === 'start') {
    const comp = opt('-n');
    if (!comp) return result('', 'Error: the virtual phone supports only am start -n <package>/<activity>\n', 1);
    const c = parseComponent(comp);
    const shape = c ? ctx.dev.appByPackage(c.pkg) : undefined;
    const head = `Starting: Intent { cmp=${comp} }\n`;
    if (!c || !shape || c.cls !== shape.packageName + shape.activity) {
      return result(head, `Error type 3\nError: Activity class {${comp}} does not exist.\n`, 0);
    }
    ctx.dev.startApp(shape.app);
    return result(head);
  }
  if (sub === 'startservice' || sub === 'start-foreground-service') return amStartService(argv, ctx);
  if (sub === 'force-stop') {
    const shape = argv[2] ? ctx.dev.appByPackage(argv[2]) : undefined;
    if (shape) {
      await ctx.dev.appHost.forceStop(shape.app);
      if (ctx.dev.ui.screen.kind !== 'launcher' && ctx.dev.ui.screen.app === shape.app) ctx.dev.ui.goHome();
    }
    return result();
  }
  if (sub === 'broadcast') {
    const action = opt('-a') ?? '';
    const head = `Broadcasting: Intent { act=${action}${argv.includes('--es') || argv.includes('--ez') ? ' (has extras)' : ''} }\n`;
    if (action === 'android.intent.action.AIRPLANE_MODE') {
      if (!ctx.root) return result(head, 'java.lang.SecurityException: Permission Denial: not allowed to send broadcast android.intent.action.AIRPLANE_MODE from pid=4242, uid=2000\n', 1);
      const err = await applyAirplaneMode(ctx);
      if (err) return result(head, `${err}\n`, 1);
    } else if (action === 'ADB_INPUT_TEXT' || action === 'ADB_INPUT_B64') {
      // ADBKeyboard (com.android.adbkeyboard): types unicode text when it is the active IME.
      if (ctx.dev.settings.secure.get('default_input_method') !== 'com.android.adbkeyboard/.AdbIME') return result(`${head}Broadcast completed: result=0\n`);
      const msg = opt('--es') === 'msg' ? argv[argv.indexOf('--es') + 2] ?? '' : '';
      const text = action === 'ADB_INPUT_B64' ? Buffer.from(msg, 'base64').toString('utf8') : msg;
      if (ctx.dev.power.reachesApp()) ctx.dev.ui.typeText(text);
    }
    return result(`${head}Broadcast completed: result=0\n`);
  }
  return result('', `Error: unknown or unsupported am command '${sub ?? ''}' on the virtual phone\n`, 1);
};

/** `monkey -p <pkg> -c android.intent.category.LAUNCHER 1`: the usual way to start an app's launcher activity. */
const monkey: Builtin = (argv, ctx) => {
  const i = argv.indexOf('-p');
  const pkg = i >= 0 ? argv[i + 1] : undefined;
  const shape = pkg ? ctx.dev.appByPackage(pkg) : undefined;
  if (!shape) return result('', '** No activities found to run, monkey aborted.\n', 252);
  ctx.dev.startApp(shape.app);
  return result('Events injected: 1\n## Network stats: elapsed time=12ms (0ms mobile, 0ms wifi, 12ms not connected)\n');
};

const pm: Builtin = (argv, ctx) => {
  if (argv[1] === 'list' && argv[2] === 'packages') {
    const opts = argv.slice(3).filter((a) => a.startsWith('-'));
    const bad = opts.find((o) => !['-f', '-3', '-s', '-e', '-d', '-i'].includes(o));
    if (bad) return result('', `Error: Unknown option: ${bad}\n`, 1);
    const filter = argv.slice(3).find((a) => !a.startsWith('-')) ?? '';
    const thirdParty = opts.includes('-3');
    const pkgs = ctx.dev.packages().filter((p) => p.name.includes(filter) && (!thirdParty || p.uid >= 10061 || p.name === 'com.android.adbkeyboard'));
    return result(pkgs.map((p) => `package:${opts.includes('-f') ? `/data/app/${p.name}-1/base.apk=` : ''}${p.name}\n`).join(''));
  }
  if (argv[1] === 'path' && argv[2]) {
    return ctx.dev.packages().some((p) => p.name === argv[2]) ? result(`package:/data/app/${argv[2]}-1/base.apk\n`) : result('', '', 1);
  }
  return result('', `Error: unknown or unsupported pm command '${argv.slice(1).join(' ')}' on the virtual phone\n`, 1);
};

const ime: Builtin = (argv, ctx) => {
  if (argv[1] === 'set' && argv[2]) {
    const pkg = argv[2].split('/')[0];
    if (!ctx.dev.packages().some((p) => p.name === pkg)) return result('', `Error: Unknown id: ${argv[2]}\n`, 0);
    ctx.dev.settings.secure.set('default_input_method', argv[2]);
    return result(`Input method ${argv[2]} selected\n`);
  }
  if (argv[1] === 'enable' && argv[2]) {
    if (!ctx.dev.packages().some((p) => p.name === argv[2].split('/')[0])) return result('', `Unknown input method ${argv[2]} cannot be enabled for user #0\n`, 0);
    return result(`Input method ${argv[2]}: already enabled\n`);
  }
  if (argv[1] === 'list') return result('com.android.inputmethod.latin/.LatinIME\ncom.android.adbkeyboard/.AdbIME\n');
  return result('', 'usage: ime list [-a] [-s]\n       ime enable ID\n       ime disable ID\n       ime set ID\n', 1);
};

/** What `$*` in the `input` script does to the arguments: split at blanks, expand globs in cwd "/". */
function reSplitLikeInputScript(args: string[], root: string): string[] {
  const words = args.join(' ').split(/[ \t\n]+/).filter(Boolean);
  return words.flatMap((w) => {
    if (!/[*?[]/.test(w) || w.includes('/')) return [w];
    const re = new RegExp(`^${w.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    let matches: string[] = [];
    try {
      matches = fs.readdirSync(root).filter((n) => re.test(n)).sort();
    } catch {
      matches = [];
    }
    return matches.length ? matches : [w];
  });
}

const input: Builtin = (argv, ctx) => {
  const args = reSplitLikeInputScript(argv.slice(1), ctx.dev.fsRoot);
  const sources = ['keyboard', 'touchscreen', 'touchpad', 'trackball', 'joystick', 'mouse', 'dpad', 'gamepad', 'stylus', 'touchnavigation'];
  if (sources.includes(args[0])) args.shift();
  const [cmd, ...rest] = args;
  const invalid = (): ShellResult => result('', `Error: Invalid arguments for command: ${cmd ?? ''}\n`, 0);
  if (cmd === 'text') {
    if (rest.length !== 1) return invalid();
    const text = rest[0].replace(/%s/g, ' ');
    if ([...text].some((ch) => ch.codePointAt(0)! < 0x20 || ch.codePointAt(0)! > 0x7e)) {
      return result('', 'Exception in thread "main" java.lang.NullPointerException: Attempt to get length of null array\n\tat com.android.commands.input.Input.sendText(Input.java:173)\n', 1);
    }
    if (ctx.dev.power.reachesApp()) ctx.dev.ui.typeText(text);
    return result();
  }
  if (cmd === 'tap') {
    const [x, y] = rest.map(Number);
    if (rest.length !== 2 || !Number.isFinite(x) || !Number.isFinite(y)) return invalid();
    // A dark or locked screen: the tap lands on nothing (or the keyguard), never in the app.
    if (ctx.dev.power.reachesApp()) ctx.dev.ui.tap(x, y);
    return result();
  }
  if (cmd === 'keyevent') {
    if (rest.length === 0) return invalid();
    for (const k of rest) {
      const code = /^\d+$/.test(k) ? Number(k) : KEYCODES[k] ?? KEYCODES[`KEYCODE_${k}`];
      if (code === undefined) return result('', `Error: Unknown keycode: ${k}\n`, 0);
      if (!ctx.dev.power.key(code)) ctx.dev.ui.keyEvent(code);
    }
    return result();
  }
  if (cmd === 'swipe') return result();
  return result('', 'Usage: input [<source>] <command> [<arg>...]\n', 0);
};

/** What screencap captures: the screen, or a black frame while the display is off (as on a phone). */
function screenImage(ctx: Parameters<Builtin>[1]): TextCanvas {
  return ctx.dev.power.on ? ctx.dev.ui.render() : new TextCanvas(SCREEN_WIDTH, SCREEN_HEIGHT, 0);
}

function rawFramebuffer(ctx: Parameters<Builtin>[1]): Buffer {
  const grey = screenImage(ctx).pixels;
  const out = Buffer.alloc(12 + grey.length * 4);
  out.writeUInt32LE(SCREEN_WIDTH, 0);
  out.writeUInt32LE(SCREEN_HEIGHT, 4);
  out.writeUInt32LE(1, 8); // PIXEL_FORMAT_RGBA_8888
  grey.forEach((g, i) => out.writeUInt32BE(((g << 24) | (g << 16) | (g << 8) | 0xff) >>> 0, 12 + i * 4));
  return out;
}

const screencap: Builtin = (argv, ctx) => {
  const file = argv.slice(1).find((a) => !a.startsWith('-'));
  const png = argv.includes('-p') || (file?.endsWith('.png') ?? false);
  const data = png ? screenImage(ctx).toPng() : rawFramebuffer(ctx);
  if (!file) return result(data);
  const host = ctx.dev.hostPath(file);
  if (!host || !fs.existsSync(path.dirname(host))) return result('', `Error opening file: ${file} (No such file or directory)\n`, 1);
  fs.writeFileSync(host, data);
  return result();
};

const uiautomator: Builtin = (argv, ctx) => {
  if (argv[1] !== 'dump') return result('', 'Usage: uiautomator <subcommand> [options]\n', 1);
  const file = argv.slice(2).find((a) => !a.startsWith('-')) ?? '/sdcard/window_dump.xml';
  const faults = ctx.dev.faults;
  if (faults.uiDumpFailures > 0) {
    faults.uiDumpFailures--;
    return result('', faults.uiDumpFailures % 2 === 0 ? DUMP_NOT_IDLE : DUMP_NULL_ROOT, 0);
  }
  if (!ctx.dev.power.on) return result('', DUMP_NULL_ROOT, 0);
  const xml = ctx.dev.power.locked ? ctx.dev.ui.toXml(ctx.dev.power.keyguardNode([0, 0, SCREEN_WIDTH, SCREEN_HEIGHT])) : ctx.dev.ui.toXml();
  if (file === '/dev/tty') return result(`${xml}UI hierchary dumped to: /dev/tty\n`);
  const host = ctx.dev.hostPath(file);
  if (!host || !fs.existsSync(path.dirname(host))) return result('', `ERROR: could not write ${file}\n`, 1);
  fs.writeFileSync(host, xml);
  return result(`UI hierchary dumped to: ${file}\n`);
};

const dumpsys: Builtin = (argv, ctx) => {
  const dev = ctx.dev;
  if (argv[1] === 'package' && argv[2]) {
    const p = dev.packages().find((x) => x.name === argv[2]);
    let out = 'Activity Resolver Table:\n  Non-Data Actions:\n\nPackages:\n';
    if (p) {
      out += `  Package [${p.name}] (3f2e1a0):\n    userId=${p.uid} gids=[3003]\n    pkg=Package{4b1c2d ${p.name}}\n    codePath=/data/app/${p.name}-1\n`;
      // Another version installed (world fault app-version): another versionCode too.
      const other = dev.faults.versions.get(p.name);
      const code = (p.versionCode ?? p.shape?.versionCode ?? 21) + (other !== undefined ? 1 : 0);
      out += `    versionCode=${code} targetSdk=21\n    versionName=${other ?? p.versionName ?? p.shape?.versionName ?? '5.0.2'}\n    dataDir=/data/data/${p.name}\n`;
    }
    return result(out);
  }
  if (argv[1] === 'power') return result(dev.power.dumpsysPower());
  if (argv[1] === 'window' && argv[2] === 'policy') return result(dev.power.dumpsysWindowPolicy());
  if (argv[1] === 'window') {
    const s = dev.ui.screen;
    const shape = s.kind === 'launcher' ? undefined : dev.packages().find((x) => x.shape?.app === s.app)?.shape;
    const focus = shape ? `${shape.packageName}/${shape.packageName}${shape.activity}` : 'com.android.launcher3/com.android.launcher3.Launcher';
    return result(`  mCurrentFocus=Window{2a3b4c u0 ${focus}}\n  mFocusedApp=AppWindowToken{5d6e7f token=Token{8a9b ActivityRecord{1c2d u0 ${focus}}}}\n`);
  }
  if (argv[1] === 'location') return result(dumpsysLocation(ctx));
  if (argv[1] === 'matador') {
    // Virtual-phone only: app process states, for world health checks and tests.
    const apps = Object.fromEntries(dev.opts.apps.map((a) => [a.app, dev.appStatus(a.app) ?? { state: 'stopped' }]));
    return result(`${JSON.stringify({ apps, wifi: dev.wifiEnabled })}\n`);
  }
  if (argv[1] === 'notification') {
    // Android 5.0: the arguments (--noredact, which 5.0 does not know) are ignored.
    return result(dev.notifications.dump(dev.elapsedRealtime()));
  }
  return result('', `Can't find service: ${argv[1] ?? ''}\n`, 0);
};

const wm: Builtin = (argv) => {
  if (argv[1] === 'size') return result(`Physical size: ${SCREEN_WIDTH}x${SCREEN_HEIGHT}\n`);
  if (argv[1] === 'density') return result('Physical density: 240\n');
  return result('', 'usage: wm [subcommand] [options]\n', 1);
};

function iptablesFor(binary: 'iptables' | 'ip6tables'): Builtin {
  return async (argv, ctx) => {
    if (!ctx.root) return result('', `${binary} v1.4.20: can't initialize ${binary} table \`filter': Permission denied (you must be root)\nPerhaps ${binary} or your kernel needs to be upgraded.\n`, 3);
    const r = await ctx.dev.net.run([binary, '-w', ...argv.slice(1)]);
    return result(r.stdout, r.stderr, r.code);
  };
}

export const ANDROID_BUILTINS: Record<string, Builtin> = {
  getprop,
  settings: settingsCmd,
  svc,
  am,
  monkey,
  pm,
  ime,
  input,
  screencap,
  uiautomator,
  dumpsys,
  wm,
  appops,
  iptables: iptablesFor('iptables'),
  ip6tables: iptablesFor('ip6tables'),
};
