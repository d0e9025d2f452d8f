/**
 * Interpreter for the parsed shell subset (sh-parse.ts): runs lists and pipelines of built-in
 * commands with redirections. Nothing here starts a real shell; `iptables` is the only
 * built-in that runs a host binary, with an argv array, inside the phone's namespace.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ShSyntaxError, expandWord, parseCommandLine, SimpleCommand, Word } from './sh-parse';
import type { VirtualDevice } from './device';
import { result, SH, type ShellContext, type ShellResult } from './builtin';
import { BUILTINS } from './commands';

export async function runShell(dev: VirtualDevice, src: string, root = false): Promise<ShellResult> {
  let items;
  try {
    items = parseCommandLine(src);
  } catch (err) {
    if (err instanceof ShSyntaxError) return result('', `${SH}: ${err.message}\n`, 2);
    throw err;
  }
  const out: Buffer[] = [];
  const errOut: Buffer[] = [];
  const combined: Buffer[] = [];
  let status = 0;
  for (const item of items) {
    if (item.joiner === '&&' && status !== 0) continue;
    if (item.joiner === '||' && status === 0) continue;
    let stdin: Buffer = Buffer.alloc(0);
    for (let i = 0; i < item.pipeline.length; i++) {
      const r = await runSimple(item.pipeline[i], { dev, root, stdin, lastStatus: status, run: (s, r2) => runShell(dev, s, r2) });
      errOut.push(r.stderr);
      if (i < item.pipeline.length - 1) stdin = r.stdout;
      else out.push(r.stdout);
      if (i === item.pipeline.length - 1) combined.push(r.combined ?? r.stdout);
      combined.push(r.combined ? Buffer.alloc(0) : r.stderr);
      status = r.code;
    }
  }
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(errOut), code: status, combined: Buffer.concat(combined) };
}

function vars(ctx: ShellContext): (name: string) => string {
  return (name) => {
    if (name === '?') return String(ctx.lastStatus);
    if (name === '$') return '4242';
    if (name === '#') return '0';
    // mksh (Android 4.4-6's /system/bin/sh): the wall clock as seconds.microseconds.
    if (name === 'EPOCHREALTIME') {
      const us = Math.floor(ctx.dev.now() * 1000);
      return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
    }
    const env: Record<string, string> = { PATH: '/sbin:/vendor/bin:/system/sbin:/system/bin:/system/xbin', ANDROID_DATA: '/data', ANDROID_ROOT: '/system', EXTERNAL_STORAGE: '/sdcard', HOSTNAME: 'localhost', USER: ctx.root ? 'root' : 'shell' };
    return env[name] ?? '';
  };
}

async function runSimple(cmd: SimpleCommand, ctx: ShellContext): Promise<ShellResult> {
  const v = vars(ctx);
  // Unquoted empty expansions vanish, as in sh; quoted ones stay as empty words.
  const argv = cmd.words
    .filter((w) => !(w.parts.length > 0 && w.parts.every((p) => p.kind === 'var' && !p.quoted) && expandWord(w, v) === ''))
    .map((w) => expandWord(w, v));
  let stdin = ctx.stdin;
  for (const r of cmd.redirects) {
    if (r.op === '<') {
      const file = ctx.dev.hostPath(expandWord(r.target as Word, v));
      if (!file || !fs.existsSync(file)) return result('', `${SH}: can't open ${expandWord(r.target as Word, v)}: No such file or directory\n`, 1);
      stdin = fs.readFileSync(file);
    }
  }
  let res: ShellResult;
  if (argv.length === 0) {
    res = result();
  } else {
    const name = argv[0].replace(/^\/system\/(x?bin)\//, '');
    const builtin = BUILTINS[name];
    res = builtin ? await builtin(argv, { ...ctx, stdin }) : result('', `${SH}: ${argv[0]}: not found\n`, 127);
  }
  // output redirections, left to right
  let stdout = res.stdout;
  let stderr = res.stderr;
  for (const r of cmd.redirects) {
    if (r.op === '<') continue;
    const data = r.fd === 2 ? stderr : stdout;
    if (r.op === '>&') {
      if (r.fd === 2 && r.target === 1) {
        stdout = Buffer.concat([stdout, stderr]);
        stderr = Buffer.alloc(0);
      } else if (r.fd === 1 && r.target === 2) {
        stderr = Buffer.concat([stderr, stdout]);
        stdout = Buffer.alloc(0);
      }
      continue;
    }
    const target = expandWord(r.target as Word, v);
    if (target !== '/dev/null') {
      const file = ctx.dev.hostPath(target);
      if (!file || !fs.existsSync(path.dirname(file))) {
        return result(stdout, Buffer.concat([stderr, Buffer.from(`${SH}: can't create ${target}: No such file or directory\n`)]), 1);
      }
      if (r.op === '>>') fs.appendFileSync(file, data);
      else fs.writeFileSync(file, data);
    }
    if (r.fd === 2) stderr = Buffer.alloc(0);
    else stdout = Buffer.alloc(0);
  }
  return { stdout, stderr, code: res.code };
}
