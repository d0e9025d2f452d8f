/** Is the interface named like the tunnel present, and is it our kind of tunnel? */
import { DriverResult, fail } from '../ssh/failures';
import { SshSession } from '../ssh/session';
import { runPrivileged } from '../ssh/privilege';
import { Argv, runCleanup, runSteps } from '../ssh/steps';
import { linkDeleteArgv, linkKindArgv, TunnelSpec } from './tunnel-spec';

const TIMEOUT_MS = 15_000;

export type LinkState = 'absent' | 'ours' | 'foreign';

export async function tunnelLinkState(session: SshSession, spec: TunnelSpec): Promise<DriverResult<{ state: LinkState; kind: string | null }>> {
  const r = await session.run(linkKindArgv(spec), { timeoutMs: TIMEOUT_MS });
  if (!r.ok) return r;
  if (r.code !== 0) return { ok: true, state: 'absent', kind: null }; // "Device ... does not exist."
  const links = JSON.parse(r.stdout) as Array<{ linkinfo?: { info_kind?: string } }>;
  const kind = links[0]?.linkinfo?.info_kind ?? null;
  return { ok: true, state: kind === spec.mode ? 'ours' : 'foreign', kind };
}

/** Delete the tunnel link if it is ours; `removed` says whether there was one. */
export async function removeTunnelLink(session: SshSession, spec: TunnelSpec): Promise<DriverResult<{ removed: boolean }>> {
  const st = await tunnelLinkState(session, spec);
  if (!st.ok) return st;
  if (st.state !== 'ours') return { ok: true, removed: false };
  const del = await runPrivileged(session, linkDeleteArgv(spec), { timeoutMs: TIMEOUT_MS });
  if (!del.ok) return del;
  if (del.code !== 0) return fail('tunnel_failed', `${session.label}: could not delete tunnel ${spec.name}: ${del.stderr.trim()}`);
  return { ok: true, removed: true };
}

/** Refuse to build over an existing interface of another kind (it is not ours to replace). */
export async function assertNameFree(session: SshSession, spec: TunnelSpec): Promise<DriverResult<object>> {
  const st = await tunnelLinkState(session, spec);
  if (!st.ok) return st;
  if (st.state === 'foreign') {
    return fail('tunnel_failed', `${session.label}: interface ${spec.name} exists and is a ${st.kind ?? 'plain'} interface, not a ${spec.mode} tunnel; refusing to replace it`);
  }
  return { ok: true };
}

/** Remove one end: cleanup commands (missing pieces are fine) and then the link if it is ours. */
export async function takeEndDown(session: SshSession, spec: TunnelSpec, downSteps: readonly Argv[]): Promise<DriverResult<{ removed: number }>> {
  const cleaned = await runCleanup(session, downSteps, { timeoutMs: TIMEOUT_MS });
  if (!cleaned.ok) return cleaned;
  const link = await removeTunnelLink(session, spec);
  if (!link.ok) return link;
  return { ok: true, removed: cleaned.succeeded + (link.removed ? 1 : 0) };
}

/** Build one end from scratch (idempotent re-run); on failure remove what was built. */
export async function bringEndUp(session: SshSession, spec: TunnelSpec, upSteps: readonly Argv[], downSteps: readonly Argv[]): Promise<DriverResult<object>> {
  const free = await assertNameFree(session, spec);
  if (!free.ok) return free;
  const before = await takeEndDown(session, spec, downSteps);
  if (!before.ok) return before;
  const up = await runSteps(session, upSteps, 'tunnel_failed', { timeoutMs: TIMEOUT_MS });
  if (!up.ok) await takeEndDown(session, spec, downSteps);
  return up;
}
