import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installHint } from '../ssh/host-profile';
import { clearAndPrepareScript, describeImplementation, DOWN_SCRIPT, parsePrepareOutput, PREPARE_SCRIPT, removeEndScript } from './wireguard-end';

const PUB = 'F7/YUytdfgj68fZDXjjYfZoSGXQu3ugii+B8qqntrB0=';

describe('WireGuard end scripts', () => {
  it('parse what the prepare script prints (public values only)', () => {
    expect(parsePrepareOutput(`impl wireguard-go\nversion wireguard-go v0.0.20250522\npublic-key ${PUB}\n`)).toEqual({ publicKey: PUB, implementation: { kind: 'wireguard-go', version: 'v0.0.20250522' } });
    expect(parsePrepareOutput(`impl kernel\npublic-key ${PUB}\n`)).toEqual({ publicKey: PUB, implementation: { kind: 'kernel' } });
    expect(parsePrepareOutput('impl kernel\npublic-key (none)\n')).toBeNull();
    expect(parsePrepareOutput(`impl tun\npublic-key ${PUB}\n`)).toBeNull();
    expect(describeImplementation({ kind: 'wireguard-go', version: 'v0.0.20250522' })).toBe('wireguard-go v0.0.20250522');
  });

  it('keeps WG_PROCESS_FOREGROUND away from wireguard-go, and private keys out of argv', () => {
    expect(PREPARE_SCRIPT).toContain('(unset WG_PROCESS_FOREGROUND; exec wireguard-go -f "$n")');
    expect(PREPARE_SCRIPT).toContain('wg set "$n" private-key "$key"');
    expect(PREPARE_SCRIPT).toContain('(umask 077; wg genkey >"$key")');
    expect(PREPARE_SCRIPT).not.toMatch(/wg show "\$n" (dump|private-key)/);
  });

  it('stops only a process whose command line is exactly ours', () => {
    expect(DOWN_SCRIPT).toContain('= "wireguard-go -f $n " ]');
  });

  it('names the package to install per host kind (the one tool-to-package map of drivers/ssh/host-profile.ts)', () => {
    expect(installHint('wg')).toMatch(/apt install wireguard-tools \(Debian\) \/ opkg install wireguard-tools \(OpenWrt\)/);
    expect(installHint('wireguard-go')).toMatch(/opkg install kmod-wireguard.*go install golang.zx2c4.com\/wireguard/);
  });
});

/**
 * clearAndPrepareScript under /bin/sh with stand-ins for `ip` and `wg` that log their calls (a
 * host with the kernel module: `ip link add ... type wireguard` works). LINK=foreign: the name is
 * taken by a non-WireGuard interface; LINK=ours: an old WireGuard end of ours is there.
 */
function clearAndPrepare(link: 'none' | 'foreign' | 'ours'): { code: number; stdout: string; calls: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mt-wg-'));
  const log = path.join(dir, 'calls');
  const stubs = [
    `log() { printf '%s\\n' "$*" >>'${log}'; }`,
    `ip() { log ip "$@"; case "$*" in 'link show dev '*) [ '${link}' != none ];; *) return 0;; esac; }`,
    `wg() { log wg "$@"; case "$*" in genkey) echo private;; *' public-key') [ '${link}' != foreign ] && echo '${PUB}';; *) return 0;; esac; }`,
    `iptables() { log iptables "$@"; return 1; }`,
  ].join('\n');
  const script = clearAndPrepareScript([['iptables', '-D', 'FORWARD', '-i', 'wg "x"; $(y)', '-j', 'ACCEPT']]);
  try {
    const stdout = execFileSync('/bin/sh', ['-c', `${stubs}\n${script}`, 'sh', 'mt-wg0-n', path.join(dir, 'state'), '', '51820', '1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { code: 0, stdout, calls: fs.readFileSync(log, 'utf8').trim().split('\n') };
  } catch (err) {
    const e = err as { status: number; stdout: string };
    return { code: e.status, stdout: e.stdout, calls: fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('WireGuard end cleared and prepared in one round trip', () => {
  it('a foreign interface of the name: refused before anything is run or removed', () => {
    const r = clearAndPrepare('foreign');
    expect(r.code).toBe(8);
    expect(r.calls.filter((c) => !/^(ip link show|wg show)/.test(c))).toEqual([]);
  });

  it('cleanup (quoted, failures ignored), the old end removed, then prepared: the public key is printed', () => {
    const r = clearAndPrepare('ours');
    expect(r.code).toBe(0);
    expect(parsePrepareOutput(r.stdout)).toEqual({ publicKey: PUB, implementation: { kind: 'kernel' } });
    const at = (re: RegExp) => r.calls.findIndex((c) => re.test(c));
    expect(r.calls).toContain('iptables -D FORWARD -i wg "x"; $(y) -j ACCEPT');
    expect(at(/^iptables -D/)).toBeLessThan(at(/^ip link del dev mt-wg0-n$/));
    expect(at(/^ip link del dev mt-wg0-n$/)).toBeLessThan(at(/^wg set mt-wg0-n private-key /));
    expect(r.calls).toContain('wg genkey');
  });

  it('a clean host: nothing to remove, prepared as by the prepare script alone', () => {
    const r = clearAndPrepare('none');
    expect(r.code).toBe(0);
    expect(r.calls.some((c) => /^ip link del/.test(c))).toBe(false);
    expect(parsePrepareOutput(r.stdout)?.publicKey).toBe(PUB);
  });
});

test('an end removed in one round trip: cleanup counted first, then the WireGuard link (ours only), counts on the first and last line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mt-wg-'));
  try {
    const stubs = `ip() { case "$*" in 'link show dev '*) return 0;; 'link del dev mt-wg0-r') echo deleted >&2;; esac; }\nwg() { echo '${PUB}'; }`;
    const script = removeEndScript([['true'], ['false'], ['sh', '-c', 'exit 0', "it's $(x)"]]);
    const out = execFileSync('/bin/sh', ['-c', `${stubs}\n${script}`, 'sh', 'mt-wg0-r', dir, '1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('2\n1\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
