/**
 * The privilege wrapper: argv and scripts under `sudo -n` (quoted words arrive intact, checked
 * with the real sudo and sh as the world's users that scripts/setup creates), sudo's refusals
 * (the real sudo 1.9 lines, and what the shell says without sudo) and the fix text.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import { shellCommand } from '../shell-quote';
import { needsSudo, sudoArgv, sudoersFix, sudoRefusal } from './privilege';

const execFileAsync = promisify(execFile);

/** A command line as sshd would hand it to the login's shell, run as `user` with real sudo. */
async function asUser(user: string, argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileAsync('su', ['-s', '/bin/sh', user, '-c', shellCommand(argv)], { encoding: 'utf8', timeout: 20_000 });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('sudo argv', () => {
  it('puts sudo -n -- in front, so argv cannot be read as sudo options and no password is asked', () => {
    expect(sudoArgv(['ip', 'link', 'del', 'dev', 'mt-x'])).toEqual(['sudo', '-n', '--', 'ip', 'link', 'del', 'dev', 'mt-x']);
    expect(sudoArgv(['-u', 'x'])).toEqual(['sudo', '-n', '--', '-u', 'x']);
  });

  it('uses sudo per mode and login', () => {
    expect(needsSudo('auto', { uid: 0, gid: 0 })).toBe(false);
    expect(needsSudo('auto', { uid: 1000, gid: 1000 })).toBe(true);
    expect(needsSudo('always', { uid: 0, gid: 0 })).toBe(true);
    expect(needsSudo('never', { uid: 1000, gid: 1000 })).toBe(false);
  });

  it('runs a script with positional arguments as root, every word intact, under the remote timeout', async () => {
    const nasty = ["it's", '$(touch /tmp/mtsh-pwned)', 'a b', '"q"', '\\n', '-n'];
    const script = 'id -u; for a in "$@"; do printf "[%s]\\n" "$a"; done';
    const r = await asUser('matador', ['timeout', '10', ...sudoArgv(['sh', '-c', script, 'sh', ...nasty])]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(['0', ...nasty.map((a) => `[${a}]`)].join('\n') + '\n');
  });

  it('the remote timeout stops a command run under sudo (timeout signals sudo, sudo relays it)', async () => {
    const t0 = Date.now();
    const r = await asUser('matador', ['timeout', '1', ...sudoArgv(['sleep', '30'])]);
    expect(r.code).toBe(124);
    expect(Date.now() - t0).toBeLessThan(5000);
    const left = await execFileAsync('pgrep', ['-f', '-x', 'sleep 30']).then((x) => x.stdout, () => '');
    expect(left).toBe('');
  });
});

describe('sudo refusals', () => {
  it('recognises the real sudo -n refusal of a user whose sudo wants a password', async () => {
    const r = await asUser('matador-nopw', sudoArgv(['ip', 'link', 'show', 'lo']));
    expect(r.code).toBe(1);
    expect(sudoRefusal(r)).toBe('sudo: a password is required');
  });

  it('recognises sudo 1.9 refusals and a missing sudo; the command\'s own failures are not refusals', () => {
    const lines = [
      'sudo: a password is required',
      'sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper',
      'sudo: sorry, you must have a tty to run sudo',
      'sudo: no tty present and no askpass program specified',
      'matador is not in the sudoers file.',
      'matador is not in the sudoers file.  This incident will be reported.',
      "Sorry, user matador is not allowed to execute '/usr/sbin/iptables -t nat -A POSTROUTING' as root on vps1.",
      'sh: 1: sudo: not found',
      'bash: line 1: sudo: command not found',
    ];
    for (const line of lines) expect(sudoRefusal({ code: line.includes('not found') ? 127 : 1, stderr: `${line}\n` })).toBe(line);
    expect(sudoRefusal({ code: 2, stderr: 'Error: argument "x" is wrong: Device does not exist\n' })).toBeNull();
    expect(sudoRefusal({ code: 1, stderr: 'sudo: ip: command not found\n' })).toBeNull();
    expect(sudoRefusal({ code: 0, stderr: 'sudo: a password is required\n' })).toBeNull();
  });

  it('says which sudoers line to add, or what else to change', () => {
    expect(sudoersFix('matador', 'sudo: a password is required')).toBe('add `matador ALL=(root) NOPASSWD: ALL` in /etc/sudoers.d/matador on the host (visudo -f /etc/sudoers.d/matador), or log in as root');
    expect(sudoersFix('matador', 'sudo: sorry, you must have a tty to run sudo')).toMatch(/^remove `Defaults requiretty` for matador/);
    expect(sudoersFix('admin', 'sh: 1: sudo: not found')).toMatch(/^install sudo on the host \(apt-get install sudo\)/);
  });
});
