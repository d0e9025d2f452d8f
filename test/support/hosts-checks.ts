/**
 * What the several-hosts scenarios check on the central host: each measurement stored once,
 * every artefact its record lists present in the central data folder with the sha256 the record
 * gives, and the measurement that is on a testbed host right now (to crash that host mid-step).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from '@temporalio/client';
import { TESTBED_STEPS } from '../../lib/measurement/steps';
import type { ArtefactRef, MeasurementRecord } from '../../lib/types';
import { ResultsStore } from '../../store/results-store';
import { MEASUREMENT_WORKFLOW_TYPE } from '../../temporal/conventions';

/** An artefact as a record lists it once shipped to the central host (issue 13: sha256, present). */
type ListedArtefact = ArtefactRef & { sha256?: string | null; present?: boolean; failure?: string | null; detail?: string | null };

export function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Per measurement id of the campaign: its stored attempts (status of each). */
export function storedAttempts(resultsFile: string, campaign: string): Map<string, Array<{ attempt: number; status: string; record: MeasurementRecord }>> {
  const store = new ResultsStore({ file: resultsFile, readonly: true });
  try {
    const out = new Map<string, Array<{ attempt: number; status: string; record: MeasurementRecord }>>();
    for (const latest of store.latestOfCampaign(campaign)) {
      const id = latest.record.measurementId;
      out.set(
        id,
        store.attempts(id).map((a) => ({ attempt: a.attempt, status: a.record.status, record: a.record })),
      );
    }
    return out;
  } finally {
    store.close();
  }
}

/**
 * The artefacts of `records` that are not where the record says, one line each: not marked
 * present, without a sha256, missing in `centralDir`, or different from the record's sha256.
 * Also a record that lists no artefact at all (every measurement captures).
 */
export function artefactProblems(records: MeasurementRecord[], centralDir: string): string[] {
  const problems: string[] = [];
  for (const r of records) {
    const artefacts = (r.artefacts ?? []) as ListedArtefact[];
    if (artefacts.length === 0) problems.push(`${r.measurementId}: the record lists no artefact`);
    for (const a of artefacts) {
      const where = `${r.measurementId}: ${a.kind} ${a.path}`;
      const file = path.resolve(centralDir, a.path);
      if (!file.startsWith(path.resolve(centralDir) + path.sep)) problems.push(`${where}: path leaves the data folder`);
      else if (a.present !== true) problems.push(`${where}: not present centrally (${a.failure ?? 'no "present" mark'}${a.detail ? `: ${a.detail}` : ''})`);
      else if (typeof a.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(a.sha256)) problems.push(`${where}: no sha256 in the record`);
      else if (!fs.existsSync(file)) problems.push(`${where}: missing in the central data folder`);
      else if (sha256Of(file) !== a.sha256) problems.push(`${where}: central copy differs from the record's sha256`);
    }
  }
  return problems;
}

/** sha256 of every file under `dir` (recursively). */
export function sha256sUnder(dir: string): Set<string> {
  const out = new Set<string>();
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.add(sha256Of(path.join(e.parentPath, e.name)));
  }
  return out;
}

/**
 * Waits until a measurement of `campaign` on `testbed` has one of the testbed's steps started
 * (a worker holds it now); returns its workflow id and the step. Polls visibility + describe.
 */
export async function testbedStepRunning(client: Client, campaign: string, testbed: string, o: { timeoutMs?: number; steps?: readonly string[] } = {}): Promise<{ workflowId: string; step: string }> {
  const steps = new Set<string>(o.steps ?? TESTBED_STEPS);
  const until = Date.now() + (o.timeoutMs ?? 120_000);
  const query = `WorkflowType = "${MEASUREMENT_WORKFLOW_TYPE}" AND MatadorCampaign = "${campaign}" AND MatadorTestbed = "${testbed}" AND ExecutionStatus = "Running"`;
  while (Date.now() < until) {
    for await (const wf of client.workflow.list({ query })) {
      const d = await client.workflow.getHandle(wf.workflowId, wf.runId).describe();
      for (const p of d.raw.pendingActivities ?? []) {
        const name = p.activityType?.name ?? '';
        // PENDING_ACTIVITY_STATE_STARTED (2): a worker has the task.
        if (steps.has(name) && Number(p.state) === 2) return { workflowId: wf.workflowId, step: name };
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no measurement of ${campaign} ran a step on ${testbed} within ${o.timeoutMs ?? 120_000} ms`);
}
