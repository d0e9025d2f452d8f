/**
 * Built-in commands of the virtual phone's shell: general tools (echo, cat, ls, id, grep, su,
 * sh -c) and the Android ones the phone driver uses (android-commands.ts). Output formats and
 * quirks follow Android 5.0.2 (toolbox + framework commands) where the driver depends on them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Builtin, result, SH, ShellResult } from './builtin';
import { ANDROID_BUILTINS } from './android-commands';
import { DEFAULT_DATE_FORMAT, parseSetTime, strftimeUtc } from './toolbox-date';

function phoneFile(ctx: Parameters<Builtin>[1], p: string): string | null {
  return ctx.dev.hostPath(p);
}

const echo: Builtin = (argv) => {
  let args = argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args[0] === '-n' || args[0] === '-e') {
    if (args[0] === '-n') newline = false;
    else escapes = true;
    args = args.slice(1);
  }
  let text = args.join(' ');
  if (escapes) text = text.replace(/\\(n|t|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
  return result(text + (newline ? '\n' : ''));
};

const cat: Builtin = (argv, ctx) => {
  const files = argv.slice(1);
  if (files.length === 0) return result(ctx.stdin);
  const out: Buffer[] = [];
  let err = '';
  let code = 0;
  for (const f of files) {
    const host = phoneFile(ctx, f);
    if (!host || !fs.existsSync(host) || fs.statSync(host).isDirectory()) {
      err += `${f}: No such file or directory\n`;
      code = 1;
      continue;
    }
    out.push(fs.readFileSync(host));
  }
  return result(Buffer.concat(out), err, code);
};

const ls: Builtin = (argv, ctx) => {
  const long = argv.includes('-l');
  const targets = argv.slice(1).filter((a) => !a.startsWith('-'));
  if (targets.length === 0) targets.push('/');
  let out = '';
  let err = '';
  for (const t of targets) {
    const host = phoneFile(ctx, t);
    if (!host || !fs.existsSync(host)) {
      err += `${t}: No such file or directory\n`;
      continue;
    }
    const st = fs.statSync(host);
    const names = st.isDirectory() ? fs.readdirSync(host).sort() : [path.basename(t)];
    for (const n of names) {
      if (!long) out += `${n}\n`;
      else {
        const s = st.isDirectory() ? fs.statSync(path.join(host, n)) : st;
        out += `${s.isDirectory() ? 'd' : '-'}rw-rw---- root     sdcard_r ${String(s.size).padStart(8)} 2015-10-01 12:00 ${n}\n`;
      }
    }
  }
  return result(out, err, err ? 1 : 0);
};

const rm: Builtin = (argv, ctx) => {
  const force = argv.some((a) => /^-[a-z]*f/.test(a));
  let err = '';
  for (const f of argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const host = phoneFile(ctx, f);
    if (!host || !fs.existsSync(host)) {
      if (!force) err += `rm failed for ${f}, No such file or directory\n`;
      continue;
    }
    fs.rmSync(host, { recursive: true, force: true });
  }
  return result('', err, err ? 1 : 0);
};

const mkdir: Builtin = (argv, ctx) => {
  for (const d of argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const host = phoneFile(ctx, d);
    if (!host) return result('', `mkdir failed for ${d}, Permission denied\n`, 1);
    fs.mkdirSync(host, { recursive: true });
  }
  return result();
};

const touch: Builtin = (argv, ctx) => {
  for (const f of argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const host = phoneFile(ctx, f);
    if (!host || !fs.existsSync(path.dirname(host))) return result('', `touch: ${f}: No such file or directory\n`, 1);
    fs.closeSync(fs.openSync(host, 'a'));
  }
  return result();
};

const id: Builtin = (_argv, ctx) =>
  result(ctx.root ? 'uid=0(root) gid=0(root) context=u:r:init:s0\n' : 'uid=2000(shell) gid=2000(shell) groups=1004(input),1007(log),1011(adb),1015(sdcard_rw),1028(sdcard_r),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats) context=u:r:shell:s0\n');

const grep: Builtin = (argv, ctx) => {
  const flags = argv.slice(1).filter((a) => /^-[A-Za-z]+$/.test(a)).join('');
  const rest = argv.slice(1).filter((a) => !/^-[A-Za-z]+$/.test(a));
  if (rest.length === 0) return result('', 'usage: grep [-iovcE] PATTERN\n', 2);
  let re: RegExp;
  try {
    re = new RegExp(rest[0], flags.includes('i') ? 'i' : '');
  } catch {
    re = new RegExp(rest[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
  const lines = ctx.stdin.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const hits = lines.filter((l) => re.test(l) !== flags.includes('v'));
  if (flags.includes('c')) return result(`${hits.length}\n`, '', hits.length ? 0 : 1);
  const out = flags.includes('o') ? hits.map((l) => re.exec(l)?.[0] ?? '') : hits;
  return result(out.map((l) => `${l}\n`).join(''), '', hits.length ? 0 : 1);
};

const su: Builtin = (argv, ctx) => {
  const args = argv.slice(1);
  if (args[0] === '-c' && args.length >= 2) return ctx.run(args.slice(1).join(' '), true);
  if ((args[0] === '0' || args[0] === 'root') && args.length >= 2) {
    const [name, ...rest] = args.slice(1);
    const builtin = BUILTINS[name.replace(/^\/system\/(x?bin)\//, '')];
    if (!builtin) return result('', `${SH}: ${name}: not found\n`, 127);
    return builtin([name, ...rest], { ...ctx, root: true });
  }
  if (args[0] === '-v') return result('2.46:SUPERSU\n');
  return result('', 'su: interactive su is not supported on the virtual phone; use su -c CMD\n', 1);
};

const sh: Builtin = (argv, ctx) => {
  if (argv[1] === '-c' && argv.length >= 3) return ctx.run(argv[2], ctx.root);
  return result('', `${SH}: interactive shell is not supported on the virtual phone\n`, 2);
};

const sleep: Builtin = async (argv) => {
  const seconds = Number(argv[1]);
  if (!Number.isFinite(seconds) || seconds < 0) return result('', `sleep: invalid number '${argv[1] ?? ''}'\n`, 1);
  await new Promise((r) => setTimeout(r, Math.min(seconds, 60) * 1000));
  return result();
};

/** Android 5 toolbox date (toolbox-date.ts) on the phone's own clock (the clock-skew fault shifts it). */
const date: Builtin = (argv, ctx) => {
  const args = argv.slice(1).filter((a) => a !== '-u');
  if (args[0] === '-s') {
    const to = parseSetTime(args[1] ?? '');
    if (to === null) return result('', `date: invalid date ${args[1] ?? ''}\n`, 1);
    if (!ctx.root) return result('', 'date: cannot set date: Operation not permitted\n', 1);
    ctx.dev.faults.clockOffsetMs = to - Date.now();
    return result(`${strftimeUtc(DEFAULT_DATE_FORMAT, ctx.dev.now())}\n`);
  }
  const format = args[0]?.startsWith('+') ? args[0].slice(1) : DEFAULT_DATE_FORMAT;
  return result(`${strftimeUtc(format, ctx.dev.now())}\n`);
};

export const BUILTINS: Record<string, Builtin> = {
  echo,
  cat,
  ls,
  rm,
  mkdir,
  touch,
  id,
  grep,
  su,
  sh,
  sleep,
  date,
  true: (): ShellResult => result(),
  false: (): ShellResult => result('', '', 1),
  exit: (argv): ShellResult => result('', '', Number(argv[1] ?? 0) & 0xff),
  ...ANDROID_BUILTINS,
};
