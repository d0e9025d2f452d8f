/**
 * The scope's cache logic on its own, with connections whose state the test controls: the
 * orderings that a real sshd makes hard to force (a handshake finishing after the scope ended,
 * open() throwing). The behaviour against real sshd is in test/drivers/ssh-scope.test.ts.
 */
import { fail } from './failures';
import { inSshScope, scopedConnection, sshScopeKey, sshScopeStats, withSshScope, type ScopedConnection } from './scope';

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
