/**
 * The shared node-ssh wrapper against real sshd in mtsh-* namespaces: host key pinning (unknown,
 * changed, hashed), key auth, typed connect failures, timeouts, quoting over a real remote shell,
 * and that connections are closed.
 */
import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { connectSsh, withSsh } from '../../drivers/ssh/session';
import { generateClientKey } from '../../testbed/sshd';
import { ADDR, inNs, NS, useTopology } from '../support/world';

const execFileAsync = promisify(execFile);

const t = useTopology();

async function writeKnownHosts(name: string, text: string): Promise<string> {
  const file = path.join(t().stateRoot, name);
  await fs.writeFile(file, text, { mode: 0o600 });
  return file;
}

describe('host key pinning', () => {
  it('connects when the key is pinned and runs a command in the node namespace', async () => {
    const r = await withSsh(t().node, async (s) => {
      const out = await s.run(['ip', '-4', '-o', 'addr', 'show', 'dev', 'n-wan']);
      return out.ok ? { ok: true as const, stdout: out.stdout } : out;
    });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.stdout).toContain(ADDR.node);
  });

  it('refuses a host whose key is not pinned (unknown) with ssh_host_key_mismatch', async () => {
    const onlyRouter = await writeKnownHosts('known_hosts.router-only', `${t().sshd.router.hostKeyLine}\n`);
    const r = await connectSsh({ ...t().node, knownHostsPath: onlyRouter });
    expect(r).toMatchObject({ ok: false, failure: 'ssh_host_key_mismatch' });
    if (!r.ok) expect(r.detail).toMatch(/not pinned/);
  });

  it('refuses a changed host key with ssh_host_key_mismatch', async () => {
    const other = await generateClientKey(path.join(t().stateRoot, 'impostor'), 'impostor_host_key');
    const changed = await writeKnownHosts('known_hosts.changed', `${ADDR.node} ${other.publicKeyLine.split(' ').slice(0, 2).join(' ')}\n`);
    const r = await connectSsh({ ...t().node, knownHostsPath: changed });
    expect(r).toMatchObject({ ok: false, failure: 'ssh_host_key_mismatch' });
    if (!r.ok) expect(r.detail).toMatch(/different from the pinned key/);
  });

  it('refuses a key pinned for another port of the same address', async () => {
    const wrongPort = await writeKnownHosts('known_hosts.wrong-port', `[${ADDR.router}]:22 ${t().sshd.router.hostPublicKey}\n`);
    const r = await connectSsh({ ...t().router, knownHostsPath: wrongPort });
    expect(r).toMatchObject({ ok: false, failure: 'ssh_host_key_mismatch' });
  });

  it('accepts entries hashed by ssh-keygen -H', async () => {
    const hashed = await writeKnownHosts('known_hosts.hashed', `${t().sshd.node.hostKeyLine}\n${t().sshd.router.hostKeyLine}\n`);
    await execFileAsync('ssh-keygen', ['-H', '-f', hashed]);
    const text = await fs.readFile(hashed, 'utf8');
    expect(text).not.toContain(ADDR.node);
    for (const target of [t().node, t().router]) {
      const r = await withSsh({ ...target, knownHostsPath: hashed }, async (s) => s.run(['true']));
      expect(r).toMatchObject({ ok: true, code: 0 });
    }
  });
});

describe('typed connect failures', () => {
  it('ssh_auth_failed for a key the server does not know', async () => {
    const stranger = await generateClientKey(path.join(t().stateRoot, 'stranger'));
    const r = await connectSsh({ ...t().node, privateKeyPath: stranger.privateKeyPath });
    expect(r).toMatchObject({ ok: false, failure: 'ssh_auth_failed' });
  });

  it('ssh_unreachable when nothing listens', async () => {
    const r = await connectSsh({ ...t().node, port: 2200 });
    expect(r).toMatchObject({ ok: false, failure: 'ssh_unreachable' });
  });

  it('ssh_timeout when packets are silently dropped', async () => {
    const drop = ['-p', 'tcp', '--dport', '2201', '-j', 'DROP'];
    await inNs(NS.node, ['iptables', '-w', '5', '-I', 'INPUT', ...drop]);
    try {
      const r = await connectSsh({ ...t().node, port: 2201, connectTimeoutMs: 1500 });
      expect(r).toMatchObject({ ok: false, failure: 'ssh_timeout' });
    } finally {
      await inNs(NS.node, ['iptables', '-w', '5', '-D', 'INPUT', ...drop]);
    }
  });

  it('config_invalid when the private key file is missing, without leaking key material', async () => {
    const r = await connectSsh({ ...t().node, privateKeyPath: path.join(t().stateRoot, 'no-such-key') });
    expect(r).toMatchObject({ ok: false, failure: 'config_invalid' });
    const real = await fs.readFile(t().clientKeyPath, 'utf8');
    const secretLine = real.split('\n')[1];
    for (const result of [r, await connectSsh({ ...t().node, port: 2200 })]) expect(JSON.stringify(result)).not.toContain(secretLine);
  });

  it('config_invalid, not a retried network fault, when the private key is encrypted; its content is never shown', async () => {
    const keyPath = path.join(t().stateRoot, 'encrypted-key');
    await fs.rm(keyPath, { force: true });
    await fs.rm(`${keyPath}.pub`, { force: true });
    await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-C', '', '-f', keyPath]);
    const r = await connectSsh({ ...t().node, privateKeyPath: keyPath });
    expect(r).toMatchObject({ ok: false, failure: 'config_invalid', detail: expect.stringMatching(/encrypted-key is encrypted: give a key without a passphrase/) });
    const secretLine = (await fs.readFile(keyPath, 'utf8')).split('\n')[1];
    expect(JSON.stringify(r)).not.toContain(secretLine);
  });
});

describe('commands', () => {
  const NASTY = ['$(reboot)', '`id`', "it's", '"dq"', 'a\nb', '; rm -rf / #', '$HOME', 'héllo 你好 🚀', '-n', '', '*'];

  it('passes nasty arguments verbatim through the remote shell', async () => {
    const r = await withSsh(t().router, async (s) => s.run(['printf', '%s\\0', ...NASTY]));
    expect(r.ok).toBe(true);
    if (r.ok) {
      const parts = r.stdout.split('\0');
      parts.pop();
      expect(parts).toEqual(NASTY);
    }
  });

  it("runs commands without the controller's ~/.bashrc (the world's sshd hides it, like a router's minimal shell)", async () => {
    const r = await withSsh(t().node, async (s) => {
      const out = await s.runScript('if [ -e "$HOME/.bashrc" ]; then wc -c < "$HOME/.bashrc"; else echo absent; fi', []);
      return out.ok ? { ok: true as const, stdout: out.stdout.trim() } : out;
    });
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(['0', 'absent']).toContain(r.stdout);
  });

  it('returns non-zero exits as output, not failures', async () => {
    const r = await withSsh(t().node, async (s) => s.run(['sh', '-c', 'echo oops >&2; exit 7']));
    expect(r).toMatchObject({ ok: true, code: 7, stderr: 'oops\n' });
  });

  it('stops a command at its timeout with ssh_timeout and leaves no process behind', async () => {
    const marker = `mtsh-sleep-${process.pid}`;
    const r = await withSsh(t().node, async (s) => s.run(['bash', '-c', 'exec -a "$0" sleep 30', marker], { timeoutMs: 1000 }));
    expect(r).toMatchObject({ ok: false, failure: 'ssh_timeout' });
    const left = await inNs(NS.node, ['pgrep', '-f', marker]);
    expect(left.stdout.trim()).toBe('');
  });

  it('closes the connection after withSsh, also when the callback throws', async () => {
    const established = async (): Promise<number> => {
      const r = await inNs(NS.node, ['ss', '-Htn', 'state', 'established', '( sport = :22 )']);
      return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
    };
    await expect(
      withSsh(t().node, async () => {
        expect(await established()).toBeGreaterThanOrEqual(1);
        throw new Error('callback failed');
      }),
    ).rejects.toThrow('callback failed');
    let open = await established();
    for (let i = 0; i < 50 && open > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      open = await established();
    }
    expect(open).toBe(0);
  });

  it('fetches a file over SFTP', async () => {
    const local = path.join(t().stateRoot, 'fetched-hostname');
    const r = await withSsh(t().node, async (s) => {
      const w = await s.run(['sh', '-c', 'printf "%s" "$1" > /run/mtsh-sftp-probe', 'sh', 'payload ✓']);
      if (!w.ok) return w;
      const g = await s.getFile('/run/mtsh-sftp-probe', local);
      await s.run(['rm', '-f', '/run/mtsh-sftp-probe']);
      return g;
    });
    expect(r.ok).toBe(true);
    expect(await fs.readFile(local, 'utf8')).toBe('payload ✓');
  });
});
