/**
 * What a measurement workflow says about itself in the Temporal Web UI / CLI (user metadata):
 * a one-line summary and short details at start (the parent or the CLI passes them as
 * staticSummary / staticDetails), then, via setCurrentDetails, which step it is in and finally
 * what it found:
 *
 *   threema pl-waw→es-mad: app PL>DE>CH / network PL>GB>ES; Five Eyes: app no, network yes
 *
 * or why it failed (`failed at <step>: <code> — <detail>`). Pure and deterministic: the
 * workflow computes it from the record it built. Which interest groups can access each path
 * is computed by the persistRecord activity (the groups table is a file: ./access.ts), with the
 * report's own functions, and handed back; without it the text says the groups are unknown.
 */
import type { GroupAccess, MeasurementSpec } from '../measurement/payloads';
import type { MeasurementRecord, PlannedMeasurement } from '../types';
import { countrySequence } from '../traceroute/hops';
import { detailsText, foreign, oneLine } from './clean';

/** Distinct country sequences listed per path; more are counted, not shown. */
export const MAX_SEQUENCES = 3;

/** "threema pl-waw→es-mad": the app and the node pair. */
export function measurementTitle(m: { app: string; nodeA: { id: string }; nodeB: { id: string } }): string {
  return oneLine(`${m.app} ${m.nodeA.id}→${m.nodeB.id}`);
}

/** staticSummary of a measurement workflow: "measurement threema pl-waw→es-mad (tb1)". */
export function measurementStartSummary(m: Pick<PlannedMeasurement, 'app' | 'nodeA' | 'nodeB' | 'testbed'>): string {
  return oneLine(`measurement ${measurementTitle(m)} (${m.testbed})`);
}

const place = (n: MeasurementSpec['nodeA']): string => (n.city ? `${n.id} (${n.country}, ${n.city})` : `${n.id} (${n.country})`);

/** staticDetails of a measurement workflow: what was planned. */
export function measurementStartDetails(m: MeasurementSpec): string {
  const from = m.messages.filter((x) => x.from === 'A').length;
  return detailsText(`${m.measurementId}`, [
    `campaign ${m.campaign}, testbed ${m.testbed}`,
    `node A ${place(m.nodeA)} → node B ${place(m.nodeB)}`,
    `${m.messages.length} message${m.messages.length === 1 ? '' : 's'} (${from} from A, ${m.messages.length - from} from B)`,
    `application paths: ${m.traceroutes?.applicationPaths === 'mda' ? 'Paris MDA (every load-balanced branch)' : 'single path'}`,
  ]);
}

/** Current details while it runs: the attempt and the step (attempt 0: after the attempts, storing the record). */
export function measurementProgressDetails(m: Pick<PlannedMeasurement, 'app' | 'nodeA' | 'nodeB' | 'testbed'>, attempt: number, maxAttempts: number, step: string): string {
  const at = attempt > 0 ? `attempt ${attempt} of ${maxAttempts}, step ${step}` : `step ${step}`;
  return detailsText(`${measurementTitle(m)} (${m.testbed}): ${at}`, []);
}


type PathKind = 'network' | 'application';

/** "PL>DE>CH, ES>FR>CH" for the traces of a path (distinct sequences in trace order), or "no trace ...". */
export function pathSequences(record: Pick<MeasurementRecord, 'nodeA' | 'nodeB' | 'networkPath' | 'applicationPath'>, kind: PathKind): string {
  const traces = (kind === 'network' ? record.networkPath : record.applicationPath).traces.filter((t) => t.hops.length > 0);
  // The report still counts the node countries for such a path (lib/report/areas.ts): say so.
  if (traces.length === 0) return 'no trace (node countries only)';
  const seqs = [...new Set(traces.map((t) => countrySequence(t, t.from === 'A' ? record.nodeA.country : record.nodeB.country).join('>')))];
  const shown = seqs.slice(0, MAX_SEQUENCES).join(', ');
  return seqs.length > MAX_SEQUENCES ? `${shown} (+${seqs.length - MAX_SEQUENCES} more)` : shown;
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** "Five Eyes: app no, network yes; European Union: ..." for the groups that reach either path. */
function accessLine(access: readonly GroupAccess[] | null | undefined): string {
  if (!access) return 'interest groups: unknown';
  const reached = access.filter((a) => a.application || a.network);
  if (reached.length === 0) return access.length === 0 ? 'no interest groups configured' : 'no interest group on either path';
  return reached.map((a) => `${a.group}: app ${yesNo(a.application)}, network ${yesNo(a.network)}`).join('; ');
}

/** What the persistRecord step said (null: it failed, the record may not be stored). */
export interface PersistOutcome {
  stored: string | null;
  access?: GroupAccess[];
  /** Its failure, one line, when it failed. */
  failure?: string;
}

type OutcomeRecord = Pick<
  MeasurementRecord,
  'app' | 'nodeA' | 'nodeB' | 'status' | 'failure' | 'failedOperation' | 'detail' | 'networkPath' | 'applicationPath' | 'testbedKind' | 'anomalies' | 'finishedAt'
> & { testbed?: unknown; attempts?: unknown };

/** The current details once a measurement has ended: what it found, or where and why it failed. */
export function measurementOutcomeDetails(record: OutcomeRecord, persisted: PersistOutcome): string {
  const title = measurementTitle(record);
  const testbed = typeof record.testbed === 'string' ? record.testbed : null;
  const attempts = Array.isArray(record.attempts) ? record.attempts.length : null;
  const where = [
    testbed ? `testbed ${testbed}${record.testbedKind === 'emulated' ? ' (emulated world)' : record.testbedKind === 'real' ? ' (real)' : ''}` : null,
    attempts !== null ? `${attempts} attempt${attempts === 1 ? '' : 's'}` : null,
    `finished ${record.finishedAt}`,
  ].filter((p): p is string => p !== null);
  const stored = persisted.stored !== null ? `record stored: ${foreign(persisted.stored)}` : `record NOT stored: ${foreign(persisted.failure ?? 'persistRecord failed')}`;
  if (record.status !== 'ok') {
    const detail = record.detail ? ` — ${foreign(record.detail)}` : '';
    return detailsText(`${title}: failed at ${record.failedOperation ?? 'an unknown step'}: ${record.failure ?? 'unknown failure'}${detail}`, [where.join(', '), stored]);
  }
  const headline = `${title}: app ${pathSequences(record, 'application')} / network ${pathSequences(record, 'network')}; ${accessLine(persisted.access)}`;
  const neither = (persisted.access ?? []).filter((a) => !a.application && !a.network).map((a) => a.group);
  const anomalies = record.anomalies;
  const ixps = anomalies?.ixpCrossings ?? [];
  return detailsText(headline, [
    where.join(', '),
    ...(neither.length > 0 && neither.length < (persisted.access?.length ?? 0) ? [`on neither path: ${neither.join(', ')}`] : []),
    ...(anomalies && anomalies.detourCountries.length > 0 ? [`application path detours through ${anomalies.detourCountries.join(', ')}`] : []),
    ...(anomalies && anomalies.boomerangs.length > 0 ? [`boomerangs: ${anomalies.boomerangs.map((b) => `${b.path} from ${b.from} via ${b.via.join('>')}`).join('; ')}`] : []),
    ...(ixps.length > 0 ? [`IXPs: ${ixps.map((x) => `${foreign(x.name, 60)} (${x.path})`).join(', ')}`] : []),
    stored,
  ]);
}
