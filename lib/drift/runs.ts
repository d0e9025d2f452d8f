/**
 * Which run a campaign run is compared with. A scheduled run is a campaign of its own named
 * `<config id>-<YYYY-MM-DD>` or `-<YYYY-MM-DD>-<n>` (temporal/schedules.ts): its previous run is
 * the campaign of the results store with the latest (date, n) before its own. A campaign run
 * under the config's own id (`matador campaign start`, no schedule) re-measures the same
 * measurement ids: its previous run is the campaign as it stood before the run started (the
 * latest attempt of each measurement finished by then; store/drift.ts reads it).
 */

export interface RunRef {
  /** The campaign id of the run (a scheduled run's dated name, or the config's id). */
  campaign: string;
  /** Shown and stored: the campaign id, or `<id>@<start time>` for an unscheduled re-run. */
  label: string;
  /** Unscheduled runs: records finished before this time (ISO) belong to the previous run. */
  before?: string;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** (date, ordinal) of a scheduled run's name, or null when the name is not one of `configId`. */
export function scheduledRunOrder(configId: string, name: string): [string, number] | null {
  const m = new RegExp(`^${escapeRegExp(configId)}-(\\d{4}-\\d{2}-\\d{2})(?:-(\\d+))?$`).exec(name);
  return m ? [m[1], m[2] === undefined ? 1 : Number(m[2])] : null;
}

/** The scheduled run of `configId` among `campaigns` that comes last before `run`; null: none. */
export function previousScheduledRun(configId: string, run: string, campaigns: readonly string[]): string | null {
  const own = scheduledRunOrder(configId, run);
  if (!own) return null;
  const before = (x: [string, number]) => x[0] < own[0] || (x[0] === own[0] && x[1] < own[1]);
  let best: { name: string; order: [string, number] } | null = null;
  for (const name of campaigns) {
    const order = scheduledRunOrder(configId, name);
    if (!order || !before(order)) continue;
    if (!best || order[0] > best.order[0] || (order[0] === best.order[0] && order[1] > best.order[1])) best = { name, order };
  }
  return best?.name ?? null;
}
