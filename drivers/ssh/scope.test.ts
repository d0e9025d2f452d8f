/**
 * The scope's cache logic on its own, with connections whose state the test controls: the
 * orderings that a real sshd makes hard to force (a handshake finishing after the scope ended,
 * open() throwing). The behaviour against real sshd is in test/drivers/ssh-scope.test.ts.
 */
import { fail } from './failures';
import { closeKeptSshConnections, inSshScope, keepSshConnectionsBetweenScopes, keptSshConnectionStats, scopedConnection, sshScopeKey, sshScopeStats, withSshScope, type ScopedConnection } from './scope';

class Conn implements ScopedConnection {
  disposed = false;
  dropped = false;
  get usable(): boolean {
    return !this.disposed && !this.dropped;
  }
  dispose(): void {
    this.disposed = true;
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const KEY = sshScopeKey({ host: '192.0.2.1', username: 'root', privateKeyPath: '/k', knownHostsPath: '/kh' });

describe('sshScopeKey', () => {
  it('defaults the port to 22 and tells targets apart by every identity field', () => {
    const base = { host: 'h', username: 'u', privateKeyPath: '/k', knownHostsPath: '/kh' };
    expect(sshScopeKey(base)).toBe(sshScopeKey({ ...base, port: 22 }));
    for (const other of [{ host: 'h2' }, { port: 2222 }, { username: 'v' }, { privateKeyPath: '/k2' }, { knownHostsPath: '/kh2' }]) {
      expect(sshScopeKey({ ...base, ...other })).not.toBe(sshScopeKey(base));
    }
  });
});

describe('scopedConnection', () => {
  it('returns null outside a scope (callers open their own connection)', async () => {
    expect(inSshScope()).toBe(false);
    expect(await scopedConnection(KEY, 'x', async () => ({ ok: true, connection: new Conn() }))).toBeNull();
  });

  it('shares one open() among concurrent callers and disposes the connection at the end', async () => {
    let opens = 0;
    const c = new Conn();
    const gate = deferred<void>();
    const open = async () => {
      opens++;
      await gate.promise;
      return { ok: true as const, connection: c };
    };
    await withSshScope(async () => {
      const all = Promise.all([scopedConnection(KEY, 'x', open), scopedConnection(KEY, 'x', open), scopedConnection(KEY, 'x', open)]);
      gate.resolve();
      for (const r of await all) expect(r).toEqual({ ok: true, connection: c });
      expect(sshScopeStats()).toEqual({ connectionsOpened: 1, cached: 1 });
    });
    expect(opens).toBe(1);
    expect(c.disposed).toBe(true);
  });

  it('does not cache a failed handshake, and replaces a dropped connection', async () => {
    const conns: Conn[] = [];
    let refuse = true;
    const open = async () => {
      if (refuse) return fail('ssh_unreachable', 'x: ECONNREFUSED');
      const c = new Conn();
      conns.push(c);
      return { ok: true as const, connection: c };
    };
    await withSshScope(async () => {
      expect(await scopedConnection(KEY, 'x', open)).toMatchObject({ ok: false, failure: 'ssh_unreachable' });
      expect(sshScopeStats()).toEqual({ connectionsOpened: 0, cached: 0 });
      refuse = false;
      expect(await scopedConnection(KEY, 'x', open)).toMatchObject({ ok: true });
      conns[0].dropped = true;
      const again = await scopedConnection(KEY, 'x', open);
      expect(again).toMatchObject({ ok: true });
      expect(again?.ok && again.connection).toBe(conns[1]);
      expect(conns[0].disposed).toBe(true);
    });
    expect(conns.map((c) => c.disposed)).toEqual([true, true]);
  });

  it('disposes a handshake that completes after the scope ended; its waiter gets ssh_connection_lost', async () => {
    const c = new Conn();
    const gate = deferred<void>();
    let pending: Promise<unknown> | undefined;
    await withSshScope(async () => {
      pending = scopedConnection(KEY, 'x', async () => {
        await gate.promise;
        return { ok: true as const, connection: c };
      });
    });
    gate.resolve();
    expect(await pending).toMatchObject({ ok: false, failure: 'ssh_connection_lost' });
    expect(c.disposed).toBe(true);
  });

  it('an exception from open() propagates and is not cached', async () => {
    await withSshScope(async () => {
      await expect(scopedConnection(KEY, 'x', async () => Promise.reject(new Error('bug in open')))).rejects.toThrow('bug in open');
      expect(sshScopeStats()).toEqual({ connectionsOpened: 0, cached: 0 });
      expect(await scopedConnection(KEY, 'x', async () => ({ ok: true as const, connection: new Conn() }))).toMatchObject({ ok: true });
    });
  });

  it('a nested scope joins the outer one; the outer end disposes', async () => {
    const c = new Conn();
    await withSshScope(async () => {
      await withSshScope(async () => {
        await scopedConnection(KEY, 'x', async () => ({ ok: true as const, connection: c }));
      });
      expect(c.disposed).toBe(false);
      expect(sshScopeStats()).toEqual({ connectionsOpened: 1, cached: 1 });
    });
    expect(c.disposed).toBe(true);
  });
});

describe('kept between scopes (keepSshConnectionsBetweenScopes)', () => {
  class KeptConn extends Conn {
    idle = true;
    valid = true;
    resets = 0;
    async revalidate(): Promise<boolean> {
      return this.valid;
    }
    resetForReuse(): void {
      this.resets++;
    }
  }
  const opener = (made: KeptConn[]) => async () => {
    const c = new KeptConn();
    made.push(c);
    return { ok: true as const, connection: c };
  };
  afterEach(() => keepSshConnectionsBetweenScopes(0));

  it('keeps nothing unless asked: every scope opens its own', async () => {
    const made: KeptConn[] = [];
    for (let i = 0; i < 2; i++) await withSshScope(() => scopedConnection(KEY, 'x', opener(made)));
    expect(made.map((c) => c.disposed)).toEqual([true, true]);
    expect(keptSshConnectionStats().kept).toBe(0);
  });

  it('hands a usable idle connection to the next scope, forgetting what it learnt; closeKept closes it', async () => {
    keepSshConnectionsBetweenScopes(10_000);
    const made: KeptConn[] = [];
    const reusedBefore = keptSshConnectionStats().reused;
    await withSshScope(() => scopedConnection(KEY, 'x', opener(made)));
    expect(made[0].disposed).toBe(false);
    expect(keptSshConnectionStats().kept).toBe(1);
    const second = await withSshScope(async () => ({ r: await scopedConnection(KEY, 'x', opener(made)), stats: sshScopeStats() }));
    expect(second.r).toEqual({ ok: true, connection: made[0] });
    expect(second.stats).toEqual({ connectionsOpened: 0, cached: 1 }); // no handshake
    expect(made).toHaveLength(1);
    expect(made[0].resets).toBe(1);
    expect(keptSshConnectionStats()).toEqual({ kept: 1, reused: reusedBefore + 1 });
    expect(closeKeptSshConnections()).toBe(1);
    expect(made[0].disposed).toBe(true);
  });

  it('does not keep a connection with a channel open, one that dropped, or a second one for the same target', async () => {
    keepSshConnectionsBetweenScopes(10_000);
    const busy = new KeptConn();
    busy.idle = false;
    await withSshScope(() => scopedConnection(KEY, 'x', async () => ({ ok: true as const, connection: busy })));
    expect(busy.disposed).toBe(true);
    const dropped = new KeptConn();
    await withSshScope(async () => {
      await scopedConnection(KEY, 'x', async () => ({ ok: true as const, connection: dropped }));
      dropped.dropped = true;
    });
    expect(dropped.disposed).toBe(true);
    // Two scopes at once: the one that ends first leaves its connection kept; the other's is closed.
    const [a, b] = [new KeptConn(), new KeptConn()];
    const gate = deferred<void>();
    const first = withSshScope(async () => {
      await scopedConnection(KEY, 'x', async () => ({ ok: true as const, connection: a }));
      await gate.promise;
    });
    await withSshScope(() => scopedConnection(KEY, 'x', async () => ({ ok: true as const, connection: b })));
    gate.resolve();
    await first;
    expect([a.disposed, b.disposed]).toEqual([true, false]);
    expect(keptSshConnectionStats().kept).toBe(1);
  });

  it('a kept connection that no longer validates (files changed) or dropped meanwhile is closed and a new one opened', async () => {
    keepSshConnectionsBetweenScopes(10_000);
    const made: KeptConn[] = [];
    await withSshScope(() => scopedConnection(KEY, 'x', opener(made)));
    made[0].valid = false;
    await withSshScope(() => scopedConnection(KEY, 'x', opener(made)));
    expect(made).toHaveLength(2);
    expect(made[0].disposed).toBe(true);
    made[1].dropped = true; // dropped while kept
    const r = await withSshScope(() => scopedConnection(KEY, 'x', opener(made)));
    expect(r).toEqual({ ok: true, connection: made[2] });
    expect(made[1].disposed).toBe(true);
  });

  it('closes a kept connection when its time runs out', async () => {
    keepSshConnectionsBetweenScopes(50);
    const made: KeptConn[] = [];
    await withSshScope(() => scopedConnection(KEY, 'x', opener(made)));
    expect(made[0].disposed).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    expect(made[0].disposed).toBe(true);
    expect(keptSshConnectionStats().kept).toBe(0);
  });

  it('refuses a negative or non-finite time', () => {
    expect(() => keepSshConnectionsBetweenScopes(-1)).toThrow('expected milliseconds >= 0, got -1');
    expect(() => keepSshConnectionsBetweenScopes(Number.NaN)).toThrow('got NaN');
  });
});
