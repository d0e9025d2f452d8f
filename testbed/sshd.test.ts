/** startSshd against the real /usr/sbin/sshd and the real OpenSSH client in an mtsh- namespace. */
import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { dataDir } from '../lib/project-paths';
import { generateClientKey, SshdHandle, startSshd, stopSshdByPidFile } from './sshd';

const execFileAsync = promisify(execFile);
const NETNS = 'mtsh-sshd';
const ADDRESS = '127.0.0.1';
const PORT = 2022;
const root = path.join(dataDir, 'test-tmp', 'mtsh-sshd');
const started: SshdHandle[] = [];

async function sh(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileAsync(argv[0], argv.slice(1), { timeout: 30_000, encoding: 'utf8' });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function start(stateDir = path.join(root, 'server')): Promise<SshdHandle> {
  const key = await generateClientKey(path.join(root, 'client'));
  const handle = await startSshd({ netns: NETNS, listenAddress: ADDRESS, port: PORT, stateDir, authorizedKeys: [key.publicKeyLine] });
  started.push(handle);
  return handle;
}

/** The real OpenSSH client, from inside the namespace, host key checked against our pin. */
async function opensshClient(handle: SshdHandle, extra: string[], command: string, user = 'root'): Promise<{ code: number; stdout: string; stderr: string }> {
  const knownHosts = path.join(root, 'known_hosts');
  await fs.writeFile(knownHosts, `${handle.hostKeyLine}\n`);
  const key = path.join(root, 'client', 'id_ed25519');
  return sh(['ip', 'netns', 'exec', NETNS, 'ssh', '-F', '/dev/null', '-i', key, '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-p', String(PORT), ...extra, `${user}@${ADDRESS}`, command]);
}

beforeAll(async () => {
  await sh(['ip', 'netns', 'del', NETNS]);
  await fs.rm(root, { recursive: true, force: true });
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  await sh(['ip', 'netns', 'add', NETNS]);
  await sh(['ip', '-n', NETNS, 'link', 'set', 'lo', 'up']);
});

afterEach(async () => {
  while (started.length > 0) await started.pop()?.stop();
});

afterAll(async () => {
  await stopSshdByPidFile(path.join(root, 'server', 'sshd.pid'));
  const pids = await sh(['ip', 'netns', 'pids', NETNS]);
  for (const pid of pids.stdout.split('\n').map(Number).filter((p) => p > 1)) process.kill(pid, 'SIGKILL');
  await sh(['ip', 'netns', 'del', NETNS]);
  await fs.rm(root, { recursive: true, force: true });
});

describe('startSshd', () => {
  it('runs a real sshd in the namespace that the OpenSSH client reaches with the pinned key', async () => {
    const handle = await start();
    expect(handle.hostKeyLine).toBe(`[${ADDRESS}]:${PORT} ${handle.hostPublicKey}`);
    expect(handle.hostPublicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+$/);
    expect(Number((await fs.readFile(handle.pidFile, 'utf8')).trim())).toBe(handle.pid);
    const listening = await sh(['ip', 'netns', 'exec', NETNS, 'ss', '-Hltnp', `( sport = :${PORT} )`]);
    expect(listening.stdout).toContain(`pid=${handle.pid}`);
    const r = await opensshClient(handle, [], 'ip -o link show lo; echo in-namespace');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('in-namespace');
  });

  it('allows key authentication only', async () => {
    const handle = await start();
    const r = await opensshClient(handle, ['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive'], 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('Permission denied (publickey)');
    const effective = await sh(['/usr/sbin/sshd', '-T', '-f', handle.configFile, '-h', path.join(root, 'server', 'ssh_host_ed25519_key')]);
    expect(effective.stdout).toMatch(/^passwordauthentication no$/m);
    expect(effective.stdout).toMatch(/^kbdinteractiveauthentication no$/m);
    expect(effective.stdout).toMatch(/^permitrootlogin without-password$/m);
    expect(effective.stdout).toMatch(/^authenticationmethods publickey$/m);
    expect(effective.stdout).toMatch(/^strictmodes no$/m);
  });

  it('keeps the host key across restarts and makes a new one when it is deleted', async () => {
    const first = await start();
    await first.stop();
    const second = await start();
    expect(second.hostKeyLine).toBe(first.hostKeyLine);
    await second.stop();
    await fs.rm(path.join(root, 'server', 'ssh_host_ed25519_key'));
    await fs.rm(path.join(root, 'server', 'ssh_host_ed25519_key.pub'));
    const third = await start();
    expect(third.hostKeyLine).not.toBe(first.hostKeyLine);
    // The OpenSSH client refuses the rotated server with the old pin.
    const knownHosts = path.join(root, 'known_hosts.old');
    await fs.writeFile(knownHosts, `${first.hostKeyLine}\n`);
    const r = await sh(['ip', 'netns', 'exec', NETNS, 'ssh', '-F', '/dev/null', '-i', path.join(root, 'client', 'id_ed25519'), '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-p', String(PORT), `root@${ADDRESS}`, 'true']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED/);
  });

  it('stop() ends sshd and removes the pid file; stop is idempotent', async () => {
    const handle = await start();
    await handle.stop();
    await handle.stop();
    expect(() => process.kill(handle.pid, 0)).toThrow();
    await expect(fs.access(handle.pidFile)).rejects.toThrow();
  });

  it('stopSshdByPidFile cleans up after a controller that forgot its handle', async () => {
    const handle = await start();
    started.pop(); // pretend the controller crashed
    await stopSshdByPidFile(handle.pidFile);
    expect(() => process.kill(handle.pid, 0)).toThrow();
  });

  it('fails clearly when the port is taken, naming the log', async () => {
    await start();
    await expect(start(path.join(root, 'second'))).rejects.toThrow(/did not start.*Address already in use/);
  });

  it('accepts a stateDir under a world-writable directory (a checkout under /tmp) and keeps its files private; the non-root admin logs in too', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mtsh-sshd-'));
    try {
      await fs.chmod(tmp, 0o1777);
      const stateDir = path.join(tmp, 'state');
      const sshd = await start(stateDir);
      try {
        expect((await fs.stat(stateDir)).mode & 0o777).toBe(0o700);
        expect((await fs.stat(path.join(stateDir, 'authorized_keys.d', 'matador'))).mode & 0o777).toBe(0o600);
        const login = await opensshClient(sshd, [], 'echo logged-in');
        expect(login.stdout.trim()).toBe('logged-in');
        // The key file is root's (0600 in a 0700 folder): sshd reads it through its
        // AuthorizedKeysCommand, not as the login. No password prompt, no tty: sudo -n works.
        const admin = await opensshClient(sshd, [], 'id -un; sudo -n id -u', 'matador');
        expect(admin).toMatchObject({ code: 0, stdout: 'matador\n0\n' });
        const nopw = await opensshClient(sshd, [], 'sudo -n true', 'matador-nopw');
        expect(nopw.code).toBe(1);
        expect(nopw.stderr).toContain('sudo: a password is required');
      } finally {
        await sshd.stop();
      }
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });
});
