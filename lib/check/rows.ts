/**
 * `matador testbed check` rows: what each preflight check of a testbed reports, the subjects the
 * check is split into (one activity each, so the CLI shows rows as subjects finish), and the
 * table and JSON forms the CLI prints. Pure: the checks themselves are in activities/check.
 */
import type { Side } from '../types';

/** What one check activity looks at: a phone or router of a side, a vantage node, or a tunnel
 *  between a side's router and a node (brought up, pinged through, torn down). */
export type CheckSubject =
  | { kind: 'phone'; side: Side }
  | { kind: 'router'; side: Side }
  | { kind: 'node'; node: string }
  | { kind: 'tunnel'; side: Side; node: string };

export interface CheckRow {
  testbed: string;
  /** Side A/B of the testbed (null for a node, which serves both). */
  side: Side | null;
  /** phone, router, node or tunnel; `testbed` when the testbed could not be checked at all
   *  (no worker on its queue, campaign or testbed unreadable there). */
  kind: CheckSubject['kind'] | 'testbed';
  /** The phone's adb serial, the router's or node's SSH host, `router -> node` for a tunnel. */
  target: string;
  /** What was checked, e.g. "adb authorised", "app threema installed at 2.41". */
  check: string;
  ok: boolean;
  /** What was found (device/host text: escaped before it reaches a terminal). */
  detail: string;
  /** For a failed check: what to do (names the phone or host). */
  fix: string | null;
}

/** A testbed's check as the JSON document lists it. */
export interface TestbedCheckResult {
  testbed: string;
  rows: CheckRow[];
}

/** What the check workflow answers to CHECK_PROGRESS_QUERY: each testbed's rows so far. */
export interface CheckProgress {
  testbeds: TestbedCheckResult[];
}

/** Input of the check workflow: the campaign config as the workers see it, which testbeds. */
export interface TestbedCheckInput {
  config: string;
  testbeds: string[];
}

export const CHECK_SCHEMA = 'matador.testbed-check/v1';

export interface CheckDocument {
  schema: typeof CHECK_SCHEMA;
  campaign: string;
  ok: boolean;
  failed: number;
  testbeds: TestbedCheckResult[];
}

/** Everything one check activity reports for a subject. */
export interface CheckSubjectResult {
  subject: CheckSubject;
  rows: CheckRow[];
}

/** Input of the checkTestbed step: without `subject` it lists the subjects (no I/O). */
export interface CheckTestbedRequest {
  /** Campaign config path as the testbed worker sees it. */
  config: string;
  testbed: string;
  subject?: CheckSubject;
}

export interface CheckTestbedResponse {
  subjects: CheckSubject[];
  rows: CheckRow[];
}

/** The subjects of a testbed: both phones and routers, every node of the campaign, and one
 *  tunnel per node (alternating sides, so both routers bring one up; a one-node campaign
 *  tunnels both sides to it). */
export function checkSubjects(nodes: readonly string[]): CheckSubject[] {
  const sides: Side[] = ['A', 'B'];
  const tunnels: CheckSubject[] =
    nodes.length === 1 ? sides.map((side) => ({ kind: 'tunnel', side, node: nodes[0] })) : nodes.map((node, i) => ({ kind: 'tunnel', side: sides[i % 2], node }));
  return [
    ...sides.map((side): CheckSubject => ({ kind: 'phone', side })),
    ...sides.map((side): CheckSubject => ({ kind: 'router', side })),
    ...nodes.map((node): CheckSubject => ({ kind: 'node', node })),
    ...tunnels,
  ];
}

export function subjectLabel(s: CheckSubject): string {
  switch (s.kind) {
    case 'phone':
    case 'router':
      return `${s.kind} ${s.side}`;
    case 'node':
      return `node ${s.node}`;
    case 'tunnel':
      return `tunnel ${s.side} -> ${s.node}`;
  }
}

/** A subject from an activity input, checked (it travels through Temporal): null when malformed. */
export function parseSubject(x: unknown): CheckSubject | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  const side = o.side === 'A' || o.side === 'B' ? o.side : null;
  const node = typeof o.node === 'string' && /^[a-z0-9-]{1,64}$/.test(o.node) ? o.node : null;
  if ((o.kind === 'phone' || o.kind === 'router') && side) return { kind: o.kind, side };
  if (o.kind === 'node' && node) return { kind: 'node', node };
  if (o.kind === 'tunnel' && side && node) return { kind: 'tunnel', side, node };
  return null;
}

export const CHECK_MARK = { ok: '✔', failed: '✘' } as const;

/**
 * The table lines of a row (the CLI escapes each): mark, testbed/side, kind, target, check,
 * detail; for a ✘ the fix on a second line, indented.
 */
export function formatCheckRow(r: CheckRow): string[] {
  const where = `${r.testbed}${r.side ? `/${r.side}` : ''}`;
  const head = `${r.ok ? CHECK_MARK.ok : CHECK_MARK.failed} ${where.padEnd(8)} ${r.kind.padEnd(7)} ${r.target.padEnd(22)} ${r.check}: ${r.detail}`;
  return r.ok || !r.fix ? [head] : [head, `    fix: ${r.fix}`];
}

export function failedRows(rows: readonly CheckRow[]): CheckRow[] {
  return rows.filter((r) => !r.ok);
}

export function checkSummary(rows: readonly CheckRow[]): string {
  const failed = failedRows(rows).length;
  return failed === 0 ? `all ${rows.length} checks passed` : `${failed} of ${rows.length} checks failed`;
}

export function checkDocument(campaign: string, testbeds: TestbedCheckResult[]): CheckDocument {
  const failed = testbeds.reduce((n, t) => n + failedRows(t.rows).length, 0);
  return { schema: CHECK_SCHEMA, campaign, ok: failed === 0, failed, testbeds };
}
