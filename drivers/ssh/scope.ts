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
 * scope, so no connection outlives the activity through the scope's cache.
 *
 * Kept between scopes (opt-in, `keepSshConnectionsBetweenScopes(ms)`: the worker process turns it
 * on): a connection that is still usable and has no channel open when its scope ends is kept, one
 * per target, for at most `ms`, and the next scope that connects to the same target takes it
 * instead of making a new handshake (a measurement's testbed activities run back to back: ~12
 * handshakes become ~3). Before it is handed out again the connection checks that the known_hosts
 * and key files are what it was opened with and that the server still answers (`revalidate`;
 * drivers/ssh/session.ts: one round trip, bounded), and it may forget what it learnt
 * (`resetForReuse`: drivers/ssh/session.ts probes the host again once its facts are a minute old). A kept
 * connection that dropped, or whose time ran out, is closed; `closeKeptSshConnections()` closes
 * every kept one (the worker's shutdown). Without the opt-in nothing is kept.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { DriverResult, fail } from './failures';

/** What the scope keeps per target: a real connection that can tell whether it still works. */
export interface ScopedConnection {
  /** Connected, not disposed, and no command saw the connection drop. */
  readonly usable: boolean;
  /** Really close it (idempotent). */
  dispose(): void;
  /** No channel open on it (only an idle connection is kept between scopes; default true). */
  readonly idle?: boolean;
  /** Still right for its target (files it was opened with unchanged)? Asked before reuse. */
  revalidate?(): Promise<boolean>;
  /** Called before another scope uses it: forget what was learnt on it if that is too old. */
  resetForReuse?(): void;
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
  /** Every connection the scope opened or took over, with its key (kept or disposed at the end). */
  readonly opened: Map<ScopedConnection, string>;
  ended: boolean;
  /** Real connections opened (handshakes that succeeded); for tests and the bench. */
  connectionsOpened: number;
}

const storage = new AsyncLocalStorage<ScopeState>();

/** Connections kept between scopes, one per key, each closed when its time runs out. */
const kept = new Map<string, { connection: ScopedConnection; timer: NodeJS.Timeout }>();
let keepMs = 0;
let keptReused = 0;

/** Keep usable idle connections for `ms` after their scope ends (0: keep none, close the kept). */
export function keepSshConnectionsBetweenScopes(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`keepSshConnectionsBetweenScopes: expected milliseconds >= 0, got ${ms}`);
  keepMs = ms;
  if (ms === 0) closeKeptSshConnections();
}

/** Close every kept connection (the worker's shutdown); returns how many were closed. */
export function closeKeptSshConnections(): number {
  const n = kept.size;
  for (const { connection, timer } of kept.values()) {
    clearTimeout(timer);
    connection.dispose();
  }
  kept.clear();
  return n;
}

/** How many connections are kept now, and how often a scope took one over (tests, the bench). */
export function keptSshConnectionStats(): { kept: number; reused: number } {
  return { kept: kept.size, reused: keptReused };
}

/** At the end of a scope: keep the connection for the next scope, or close it. */
function release(connection: ScopedConnection, key: string): void {
  if (keepMs === 0 || kept.has(key) || !connection.usable || connection.idle === false) {
    connection.dispose();
    return;
  }
  const timer = setTimeout(() => {
    if (kept.get(key)?.connection === connection) kept.delete(key);
    connection.dispose();
  }, keepMs);
  timer.unref(); // a kept connection never holds the process open
  kept.set(key, { connection, timer });
}

/** The kept connection for `key` if it is still usable and right for its target (else closed). */
async function takeKept(key: string): Promise<ScopedConnection | null> {
  const entry = kept.get(key);
  if (!entry) return null;
  kept.delete(key);
  clearTimeout(entry.timer);
  const { connection } = entry;
  const valid = connection.usable && (connection.revalidate ? await connection.revalidate().catch(() => false) : true);
  if (!valid || !connection.usable) {
    connection.dispose();
    return null;
  }
  connection.resetForReuse?.();
  keptReused++;
  return connection;
}

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
  const state: ScopeState = { byKey: new Map(), opened: new Map(), ended: false, connectionsOpened: 0 };
  try {
    return await storage.run(state, fn);
  } finally {
    state.ended = true;
    state.byKey.clear();
    for (const [c, key] of state.opened) release(c, key);
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
    const handshake = takeKept(key).then<Opened<C>>(async (reused) => {
      const r: Opened<C> = reused ? { ok: true, connection: reused as C } : await open();
      if (!r.ok) {
        if (state.byKey.get(key) === handshake) state.byKey.delete(key);
        return r;
      }
      if (state.ended) {
        r.connection.dispose(); // finished after the activity: must not outlive it
        return fail('ssh_connection_lost', `${label}: the activity's SSH scope ended during the handshake`);
      }
      state.opened.set(r.connection, key);
      if (!reused) state.connectionsOpened++;
      return r;
    }).catch((err: unknown) => {
      if (state.byKey.get(key) === handshake) state.byKey.delete(key);
      throw err; // programming error in open(): not a network result, never cached
    });
    state.byKey.set(key, handshake);
    return handshake;
  }
  return fail('ssh_connection_lost', `${label}: the shared connection dropped right after it was opened`);
}
