/**
 * SSH scopes (drivers/ssh/scope.ts) against real sshd in the mtsh-* namespaces: connections are
 * counted on the server side ("Accepted publickey" lines in sshd's log, established sockets with
 * `ss`), so sharing, reconnecting after a drop and closing at the end are observed where they
 * happen. Also: the worker's wiring (every testbed activity in its own scope, heartbeats and
 * cancellation still working).
 */
import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { CancelledFailure, Context } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type MatadorActivities } from '../../activities';
import { MEASUREMENT_STEPS, TESTBED_STEPS } from '../../lib/measurement/steps';
import { closeKeptSshConnections, inSshScope, keepSshConnectionsBetweenScopes, keptSshConnectionStats, sshScopeStats, withSshScope } from '../../drivers/ssh/scope';
import { connectSsh, SshSession, SshTarget, withSsh } from '../../drivers/ssh/session';
import { generateClientKey } from '../../testbed/sshd';
import { withSshScopes } from '../../workers/activities';
import { ADDR, inNs, NS, useTopology } from '../support/world';

const t = useTopology();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Successful logins sshd logged so far (LogLevel INFO logs every "Accepted publickey"). */
async function accepted(which: 'node' | 'router'): Promise<number> {
  const log = await fs.readFile(t().sshd[which].logFile, 'utf8');
  return (log.match(/Accepted publickey for root/g) ?? []).length;
}

const SERVER = { node: { ns: NS.node, port: 22 }, router: { ns: NS.router, port: 2222 } } as const;

/** Established TCP connections on sshd's port, seen inside the server's namespace. */
const execFileAsync = promisify(execFile);

/** TCP sockets of this process to host:22 in any state (FIN-WAIT too), from `ss`. */
async function ourSocketsTo(host: string): Promise<number> {
  const { stdout } = await execFileAsync('ss', ['-tnpH', 'state', 'all', 'dst', `${host}:22`]);
  return stdout.split('\n').filter((l) => l.includes(`pid=${process.pid},`)).length;
}

async function established(which: 'node' | 'router'): Promise<number> {
  const { ns, port } = SERVER[which];
  const r = await inNs(ns, ['ss', '-Htn', 'state', 'established', `( sport = :${port} )`]);
  return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
}

/** Wait (bounded) until `probe` returns `want`; returns the last value (asserted by the caller). */
async function settle<T>(probe: () => Promise<T>, want: T, rounds = 100): Promise<T> {
  let v = await probe();
  for (let i = 0; i < rounds && v !== want; i++) {
    await sleep(100);
    v = await probe();
  }
  return v;
}

async function hostname(target: SshTarget): Promise<string> {
  const r = await withSsh(target, async (s) => s.run(['cat', '/proc/sys/kernel/hostname']));
  if (!r.ok) throw new Error(`${r.failure}: ${r.detail}`);
  return r.stdout;
}

function must<T extends object>(r: { ok: true } & T | { ok: false; failure: string; detail: string }): T {
  if (!r.ok) throw new Error(`${r.failure}: ${r.detail}`);
  return r;
}

/** The per-connection sshd processes (direct children of the listening sshd). */
async function connectionProcesses(which: 'node' | 'router'): Promise<number[]> {
  const parent = t().sshd[which].pid;
  const out: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

beforeEach(async () => {
  // Every test starts with no connection left over from the previous one.
  expect(await settle(() => established('node'), 0)).toBe(0);
  expect(await settle(() => established('router'), 0)).toBe(0);
});

describe('one connection per target inside a scope', () => {
  it('three withSsh calls and a connectSsh to the same target use ONE connection, closed at the end', async () => {
    const before = await accepted('node');
    const inside = await withSshScope(async () => {
      for (let i = 0; i < 3; i++) await hostname(t().node);
      const c = must(await connectSsh(t().node));
      const r = await c.session.run(['echo', 'leased']);
      c.session.close();
      const afterLeaseClose = await c.session.run(['true']);
      // The lease is released, the shared connection is still open for the next call.
      return { r, afterLeaseClose, open: await established('node'), stats: sshScopeStats() };
    });
    expect(inside.r).toMatchObject({ ok: true, code: 0, stdout: 'leased\n' });
    expect(inside.afterLeaseClose).toMatchObject({ ok: false, failure: 'ssh_connection_lost' });
    expect(inside.open).toBe(1);
    expect(inside.stats).toEqual({ connectionsOpened: 1, cached: 1 });
    expect(await accepted('node')).toBe(before + 1);
    expect(await settle(() => established('node'), 0)).toBe(0);
  });

  it('two different targets get one connection each', async () => {
    const [n0, r0] = [await accepted('node'), await accepted('router')];
    const stats = await withSshScope(async () => {
      for (let i = 0; i < 2; i++) {
        await hostname(t().node);
        await hostname(t().router);
      }
      return sshScopeStats();
    });
    expect(stats).toEqual({ connectionsOpened: 2, cached: 2 });
    expect(await accepted('node')).toBe(n0 + 1);
    expect(await accepted('router')).toBe(r0 + 1);
  });

  it('the connect timeout is not part of the key; the known_hosts file is', async () => {
    const copy = path.join(t().stateRoot, 'known_hosts.copy');
    await fs.copyFile(t().knownHostsPath, copy);
    const stats = await withSshScope(async () => {
      await hostname(t().node);
      await hostname({ ...t().node, connectTimeoutMs: 3000 });
      await hostname({ ...t().node, knownHostsPath: copy });
      return sshScopeStats();
    });
    expect(stats).toEqual({ connectionsOpened: 2, cached: 2 });
  });

  it('outside a scope every call has its own connection (unchanged behaviour)', async () => {
    const before = await accepted('node');
    expect(inSshScope()).toBe(false);
    for (let i = 0; i < 3; i++) await hostname(t().node);
    const c = must(await connectSsh(t().node));
    expect(await established('node')).toBe(1);
    c.session.close();
    expect(await accepted('node')).toBe(before + 4);
    expect(await settle(() => established('node'), 0)).toBe(0);
  });

  it('a nested scope joins the outer one: its end closes nothing', async () => {
    const before = await accepted('node');
    await withSshScope(async () => {
      await hostname(t().node);
      await withSshScope(async () => hostname(t().node));
      expect(await established('node')).toBe(1);
      await hostname(t().node);
      expect(sshScopeStats()).toEqual({ connectionsOpened: 1, cached: 1 });
    });
    expect(await accepted('node')).toBe(before + 1);
  });
});

describe('concurrency and the end of a scope', () => {
  it('concurrent connects share one handshake and run commands side by side', async () => {
    const before = await accepted('node');
    const outputs = await withSshScope(async () =>
      Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          withSsh(t().node, async (s) => s.run(['sh', '-c', 'sleep 0.2; echo "$1"', 'sh', String(i)])),
        ),
      ),
    );
    // 12 > MAX_CHANNELS_PER_SHARED_CONNECTION: the gate queues the rest instead of failing.
    expect(outputs.map((o) => (o.ok ? o.stdout.trim() : o.failure))).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    expect(await accepted('node')).toBe(before + 1);
    expect(await settle(() => established('node'), 0)).toBe(0);
  });

  it('closes every connection when the scope throws, and a leaked lease cannot be used afterwards', async () => {
    let leaked: SshSession | undefined;
    await expect(
      withSshScope(async () => {
        leaked = must(await connectSsh(t().node)).session; // never closed by its caller
        await hostname(t().router);
        expect(await established('node')).toBe(1);
        throw new Error('step failed');
      }),
    ).rejects.toThrow('step failed');
    expect(await settle(() => established('node'), 0)).toBe(0);
    expect(await settle(() => established('router'), 0)).toBe(0);
    expect(await leaked!.run(['true'])).toMatchObject({ ok: false, failure: 'ssh_connection_lost' });
  });

  it('after its scope ended, code the activity left running connects as outside a scope', async () => {
    let later: Promise<string> | undefined;
    const before = await accepted('node');
    await withSshScope(async () => {
      await hostname(t().node);
      later = sleep(300).then(() => hostname(t().node)); // dangling: outlives the scope
    });
    expect((await later!).length).toBeGreaterThan(0);
    expect(await accepted('node')).toBe(before + 2);
    expect(await settle(() => established('node'), 0)).toBe(0);
  });
});

describe('a dropped shared connection', () => {
  it('is replaced: after the server side is killed, the next call in the same scope reconnects', async () => {
    const before = await accepted('node');
    await withSshScope(async () => {
      const first = must(await connectSsh(t().node)).session;
      expect(await first.run(['true'])).toMatchObject({ ok: true, code: 0 });
      const victims = await connectionProcesses('node');
      expect(victims).toHaveLength(1);
      process.kill(victims[0], 'SIGKILL'); // the sshd process serving our connection
      expect(await settle(async () => first.connected, false)).toBe(false);
      expect(await first.run(['true'])).toMatchObject({ ok: false, failure: 'ssh_connection_lost' });
      expect((await hostname(t().node)).trim().length).toBeGreaterThan(0);
      expect(await withSsh(t().node, async (s) => s.run(['echo', 'again']))).toMatchObject({ ok: true, stdout: 'again\n' });
      expect(sshScopeStats()).toEqual({ connectionsOpened: 2, cached: 1 });
    });
    expect(await accepted('node')).toBe(before + 2);
  });

  it('an SFTP transfer abandoned at its timeout really closes the shared connection', async () => {
    const fifo = `/run/mtsh-scope-fifo-${process.pid}`;
    expect((await inNs(NS.node, ['mkfifo', fifo])).code).toBe(0);
    try {
      await withSshScope(async () => {
        const s = must(await connectSsh(t().node)).session;
        // Reading a FIFO nobody writes blocks the SFTP open: a transfer stuck for good.
        const got = await s.getFile(fifo, path.join(t().stateRoot, 'fifo-copy'), 1500);
        expect(got).toMatchObject({ ok: false, failure: 'ssh_timeout' });
        expect(await settle(() => established('node'), 0)).toBe(0);
        expect(await withSsh(t().node, async (x) => x.run(['echo', 'fresh']))).toMatchObject({ ok: true, stdout: 'fresh\n' });
        expect(sshScopeStats()).toEqual({ connectionsOpened: 2, cached: 1 });
      });
    } finally {
      // Unblock the server's stuck open() so its process can exit, then remove the FIFO.
      await inNs(NS.node, ['timeout', '5', 'sh', '-c', 'echo x > "$1"', 'sh', fifo]);
      await inNs(NS.node, ['rm', '-f', fifo]);
    }
  });
});

describe('security inside a scope', () => {
  it('a host key mismatch still fails with ssh_host_key_mismatch and nothing is cached', async () => {
    const impostor = await generateClientKey(path.join(t().stateRoot, 'scope-impostor'), 'impostor_host_key');
    const wrong = path.join(t().stateRoot, 'known_hosts.scope-wrong');
    await fs.writeFile(wrong, `${ADDR.node} ${impostor.publicKeyLine.split(' ').slice(0, 2).join(' ')}\n`, { mode: 0o600 });
    const before = await accepted('node');
    await withSshScope(async () => {
      const bad = { ...t().node, knownHostsPath: wrong };
      const [a, b] = await Promise.all([connectSsh(bad), connectSsh(bad)]);
      for (const r of [a, b]) expect(r).toMatchObject({ ok: false, failure: 'ssh_host_key_mismatch' });
      expect(sshScopeStats()).toEqual({ connectionsOpened: 0, cached: 0 });
      // Not cached: a later connect does the handshake again and is refused again.
      expect(await connectSsh(bad)).toMatchObject({ ok: false, failure: 'ssh_host_key_mismatch' });
      expect(sshScopeStats()).toEqual({ connectionsOpened: 0, cached: 0 });
      // The correctly pinned target is unaffected.
      expect((await hostname(t().node)).length).toBeGreaterThan(0);
    });
    expect(await accepted('node')).toBe(before + 1);
  });
});

describe('kept between scopes (what a worker does: workers/activities.ts)', () => {
  afterEach(() => keepSshConnectionsBetweenScopes(0));

  it('the next scope to the same host reuses the kept connection: one login for three activities, closed by closeKept', async () => {
    keepSshConnectionsBetweenScopes(10_000);
    const before = await accepted('node');
    const opened: number[] = [];
    for (let i = 0; i < 3; i++) {
      opened.push(await withSshScope(async () => {
        await hostname(t().node);
        return sshScopeStats()!.connectionsOpened;
      }));
    }
    expect(opened).toEqual([1, 0, 0]);
    expect(await accepted('node')).toBe(before + 1);
    expect(await established('node')).toBe(1); // kept between the activities
    expect(closeKeptSshConnections()).toBe(1);
    expect(await settle(() => established('node'), 0)).toBe(0);
  });

  it('a changed known_hosts file takes a new handshake (a re-pinned host key is checked again)', async () => {
    keepSshConnectionsBetweenScopes(10_000);
    const pins = path.join(t().stateRoot, 'known_hosts.kept');
    await fs.copyFile(t().knownHostsPath, pins);
    const target = { ...t().node, knownHostsPath: pins };
    const before = await accepted('node');
    await withSshScope(() => hostname(target));
    await fs.appendFile(pins, '# re-pinned\n');
    await withSshScope(() => hostname(target));
    expect(await accepted('node')).toBe(before + 2);
    // The same file with a wrong key for the host: refused, not served by a kept connection.
    const impostor = await generateClientKey(path.join(t().stateRoot, 'kept-impostor'), 'impostor_host_key');
    await fs.writeFile(pins, `${ADDR.node} ${impostor.publicKeyLine.split(' ').slice(0, 2).join(' ')}\n`, { mode: 0o600 });
    expect(await withSshScope(() => connectSsh(target))).toMatchObject({ ok: false, failure: 'ssh_host_key_mismatch' });
    expect(keptSshConnectionStats().kept).toBe(0);
    expect(await settle(() => established('node'), 0)).toBe(0);
  });

  it('a kept connection whose link went silent is given up after one unanswered round trip: the connect fails as a connect does', async () => {
    keepSshConnectionsBetweenScopes(30_000);
    const target = { ...t().node, connectTimeoutMs: 1500 };
    await withSshScope(() => hostname(target));
    expect(keptSshConnectionStats().kept).toBe(1);
    const drop = ['iptables', '-w', '-I', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'DROP'];
    await inNs(NS.node, drop);
    try {
      const r = await withSshScope(() => connectSsh(target));
      expect(r).toMatchObject({ ok: false, failure: 'ssh_timeout' }); // not ssh_connection_lost of a dead kept link
      expect(keptSshConnectionStats().kept).toBe(0);
    } finally {
      await inNs(NS.node, ['iptables', '-w', '-D', ...drop.slice(3)]);
      // The server never heard the dropped connection close: end its side too.
      for (const pid of await connectionProcesses('node')) process.kill(pid, 'SIGKILL');
    }
    expect(await settle(() => established('node'), 0)).toBe(0);
    // and this process keeps no socket to it (a polite close never acknowledged would hold it ~15 min)
    expect(await settle(() => ourSocketsTo(ADDR.node), 0)).toBe(0);
    expect((await withSshScope(() => hostname(target))).length).toBeGreaterThan(0);
    closeKeptSshConnections();
  });

  it('a connection with a command still running when its scope ends is closed, not kept; a kept one ends when its time is up', async () => {
    keepSshConnectionsBetweenScopes(10_000);
    let dangling: Promise<unknown> | null = null;
    await withSshScope(async () => {
      const c = must(await connectSsh(t().node));
      dangling = c.session.run(['sleep', '5']);
      await sleep(200);
    });
    expect(await dangling).not.toMatchObject({ ok: true, code: 0 }); // cut off, not finished
    expect(keptSshConnectionStats().kept).toBe(0);
    expect(await settle(() => established('node'), 0)).toBe(0);
    keepSshConnectionsBetweenScopes(300);
    await withSshScope(() => hostname(t().node));
    expect(await established('node')).toBe(1);
    expect(await settle(() => established('node'), 0)).toBe(0);
  });
});

describe('worker wiring (workers/activities.ts)', () => {
  /** The given steps; every other measurement step fails if a test calls it. */
  function activitiesWith(steps: Partial<MatadorActivities>): MatadorActivities {
    const unused = Object.fromEntries(MEASUREMENT_STEPS.map((n) => [n, async () => { throw new Error(`${n} is not used by this test`); }]));
    return withSshScopes(createActivities({ loadPlan: async () => { throw new Error('unused'); }, baseDir: t().stateRoot, saveRecord: () => 'unused', steps: { ...unused, ...steps } }));
  }

  it('runs every testbed activity in its own scope and the central ones outside', async () => {
    const probe = async (): Promise<never> => {
      throw new Error(`inSshScope=${inSshScope()}`);
    };
    const steps = Object.fromEntries(MEASUREMENT_STEPS.map((n) => [n, probe]));
    const all = activitiesWith(steps as Partial<MatadorActivities>);
    const env = new MockActivityEnvironment();
    // The measurement steps on a testbed's queue (classifyFlows among them); the shipping steps
    // are not replaceable probes here, they are tested on their own (activities/artefacts).
    const probed = TESTBED_STEPS.filter((n) => (MEASUREMENT_STEPS as readonly string[]).includes(n));
    expect(probed).toContain('classifyFlows');
    for (const name of probed) {
      await expect(env.run(all[name] as (i: unknown) => Promise<unknown>, {})).rejects.toThrow('inSshScope=true');
    }
    await expect(env.run(all.geolocate, {} as never)).rejects.toThrow('inSshScope=false');
  });

  it('keeps heartbeating, and a cancelled activity closes its connections', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 600 });
    let beats = 0;
    let beaten: () => void = () => undefined;
    const twoBeats = new Promise<void>((resolve) => (beaten = resolve));
    env.on('heartbeat', () => {
      if (++beats >= 2) beaten();
    });
    let connected: () => void = () => undefined;
    const bothCalls = new Promise<void>((resolve) => (connected = resolve));
    const before = await accepted('node');
    const all = activitiesWith({
      traceroutes: async () => {
        await hostname(t().node);
        await hostname(t().node);
        connected();
        await Context.current().cancelled; // a long step, stopped by its workflow
        throw new Error('not reached');
      },
    });
    const running = env.run(all.traceroutes, { ctx: {} as never, endpoints: [] });
    await Promise.all([twoBeats, bothCalls]);
    expect(await established('node')).toBe(1);
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    expect(await accepted('node')).toBe(before + 1);
    expect(await settle(() => established('node'), 0)).toBe(0);
  });
});
