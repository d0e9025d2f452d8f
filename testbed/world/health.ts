/**
 * Is the world that is up the one a campaign needs? Reads what `status()` (./world.ts) reports;
 * the demo (cli/commands/demo.ts) and the campaign benchmark decide on it whether to reuse the
 * world or build it again. Pure: no I/O, so callers load it without the world's modules.
 */

/** What `matador testbed status` knows (StatusReport), reduced to what the decision needs. */
export interface WorldStatusView {
  state: { world: string; status: string; failure?: string | null; testbeds: Array<{ id: string }> } | null;
  namespacesPresent: number;
  namespacesExpected: number;
  processesDead: string[];
}

/** Is the world up, complete and the one we need, with every testbed the campaign uses? */
export function worldHealth(s: WorldStatusView, world: string, testbeds: string[]): { healthy: boolean; reason: string } {
  if (!s.state) return { healthy: false, reason: s.namespacesPresent ? `no world state but ${s.namespacesPresent} leftover namespaces` : 'no world is up' };
  if (s.state.world !== world) return { healthy: false, reason: `world ${s.state.world} is up, not ${world}` };
  if (s.state.status !== 'up') return { healthy: false, reason: `world ${world} is ${s.state.status}${s.state.failure ? ` (${s.state.failure})` : ''}` };
  if (s.namespacesPresent < s.namespacesExpected) return { healthy: false, reason: `only ${s.namespacesPresent} of ${s.namespacesExpected} namespaces present` };
  if (s.processesDead.length) return { healthy: false, reason: `dead processes: ${s.processesDead.slice(0, 4).join(', ')}${s.processesDead.length > 4 ? ', ...' : ''}` };
  const have = new Set(s.state.testbeds.map((t) => t.id));
  const missing = testbeds.filter((t) => !have.has(t));
  if (missing.length) return { healthy: false, reason: `world ${world} has no testbed ${missing.join(', ')}` };
  return { healthy: true, reason: `world ${world} is up with testbeds ${[...have].join(', ')}` };
}
