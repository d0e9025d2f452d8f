/**
 * SSH connection scopes: one connection per target per activity instead of one per driver call.
 *
 *   await withSshScope(async () => {
 *     await configureRouter(router);   // opens router connection #1
 *     await tunnelUp({ router, ... }); // reuses #1 (and opens one to the node)
 *     await tunnelStatus({ router });  // reuses #1
 *   });                                // every connection the scope opened is closed here
 *
 * Inside a scope, `connectSsh`/`withSsh` (drivers/ssh/session.ts) for the same target hand out a
 * lease on one shared connection: its `close()` only releases the lease. Concurrent connects to a
 * target whose handshake is still running wait for that handshake instead of starting another;
 * they all get its result (a failed handshake is not cached, the next connect tries again). A
 * shared connection that dropped (socket closed, a command reported ssh_connection_lost, or an
 * abandoned SFTP transfer closed it) is never handed out again: the next connect opens a new one.
 * Outside a scope nothing changes (one connection per call, closed by its caller).
 *
 * Key: host, port (default 22), username, privateKeyPath, knownHostsPath. The connect timeout is
 * not part of it (the first connect's timeout bounds the shared handshake). Every real connection
 * still checks the pinned host key and authenticates with the key only; a failed connect (host
 * key mismatch included) leaves nothing in the scope.
 *
 * Nesting: an inner `withSshScope` inside a live outer scope joins the outer one (same cache, its
 * end closes nothing): a helper that wants a scope of its own cannot shorten the life of
 * connections its caller is still using, and one activity keeps one connection per target.
 *
 * End of scope: when `fn` settles (also when it throws) every connection the scope opened is
 * closed, including handshakes still in flight (their waiters get ssh_connection_lost). A connect
 * made after the end by code the activity left running (a dangling promise) behaves as outside a
 * scope, so no connection ever outlives the activity through the cache.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { DriverResult, fail } from './failures';

/** What the scope keeps per target: a real connection that can tell whether it still works. */
export interface ScopedConnection {
  /** Connected, not disposed, and no command saw the connection drop. */
  readonly usable: boolean;
  /** Really close it (idempotent). */
  dispose(): void;
}

/** The parts of an SSH target that decide whether two connects may share a connection. */
export interface ScopeKeyParts {
  host: string;
  port?: number;
  username: string;
  privateKeyPath: string;
  knownHostsPath: string;
}

type Opened<C> = DriverResult<{ connection: C }>;

interface ScopeState {
  /** Per target key: the handshake in flight or the connection it produced. */
  readonly byKey: Map<string, Promise<Opened<ScopedConnection>>>;
  /** Every connection the scope opened (disposed at the end). */
  readonly opened: Set<ScopedConnection>;
  ended: boolean;
  /** Real connections opened (handshakes that succeeded); for tests and the bench. */
  connectionsOpened: number;
}

const storage = new AsyncLocalStorage<ScopeState>();

export function sshScopeKey(t: ScopeKeyParts): string {
  return JSON.stringify([t.host, t.port ?? 22, t.username, t.privateKeyPath, t.knownHostsPath]);
}

/** True inside a live scope (tests, diagnostics). */
export function inSshScope(): boolean {
  const s = storage.getStore();
  return s !== undefined && !s.ended;
}

/** Statistics of the current live scope, or null outside one (tests, the bench). */
export function sshScopeStats(): { connectionsOpened: number; cached: number } | null {
  const s = storage.getStore();
  if (!s || s.ended) return null;
  return { connectionsOpened: s.connectionsOpened, cached: s.byKey.size };
}

/** Run `fn` in a scope (or in the enclosing live scope); closes what the scope opened at the end. */
export async function withSshScope<T>(fn: () => Promise<T>): Promise<T> {
  const outer = storage.getStore();
  if (outer && !outer.ended) return fn();
  const state: ScopeState = { byKey: new Map(), opened: new Set(), ended: false, connectionsOpened: 0 };
  try {
    return await storage.run(state, fn);
  } finally {
    state.ended = true;
    state.byKey.clear();
    for (const c of state.opened) c.dispose();
    state.opened.clear();
  }
}

/** `fn` wrapped so that every call runs in its own scope (how the worker wires its activities). */
export function scopedSsh<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args: A) => withSshScope(() => fn(...args));
}

/**
 * For drivers/ssh/session.ts: outside a live scope returns null (the caller opens its own
 * connection). Inside, returns the scope's usable connection for `key`, joining a handshake in
 * flight, or opens one with `open` and keeps it.
 */
export async function scopedConnection<C extends ScopedConnection>(key: string, label: string, open: () => Promise<Opened<C>>): Promise<Opened<C> | null> {
  const state = storage.getStore();
  if (!state || state.ended) return null;
  // Two rounds at most: a cached connection found dropped is replaced once; a handshake we
  // joined that produced a connection already dropped again is reported, not retried forever.
  for (let round = 0; round < 2; round++) {
    const existing = state.byKey.get(key) as Promise<Opened<C>> | undefined;
    if (existing) {
      const r = await existing;
      if (state.ended) return fail('ssh_connection_lost', `${label}: the activity's SSH scope ended`);
      if (!r.ok) {
        if (state.byKey.get(key) === existing) state.byKey.delete(key);
        return r; // a handshake we shared failed: same answer for every waiter
      }
      if (r.connection.usable) return r;
      // Dropped: forget it (unless someone already replaced it) and connect again.
      if (state.byKey.get(key) === existing) state.byKey.delete(key);
      r.connection.dispose();
      state.opened.delete(r.connection);
      continue;
    }
    const handshake = open().then<Opened<C>>((r) => {
      if (!r.ok) {
        if (state.byKey.get(key) === handshake) state.byKey.delete(key);
        return r;
      }
      if (state.ended) {
        r.connection.dispose(); // finished after the activity: must not outlive it
        return fail('ssh_connection_lost', `${label}: the activity's SSH scope ended during the handshake`);
      }
      state.opened.add(r.connection);
      state.connectionsOpened++;
      return r;
    }, (err: unknown) => {
      if (state.byKey.get(key) === handshake) state.byKey.delete(key);
      throw err; // programming error in open(): not a network result, never cached
    });
    state.byKey.set(key, handshake);
    return handshake;
  }
  return fail('ssh_connection_lost', `${label}: the shared connection dropped right after it was opened`);
}
