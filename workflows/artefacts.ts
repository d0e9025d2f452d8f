/**
 * Ships one measurement's artefacts from the testbed's data folder to the central one
 * (lib/artefacts/shipping.ts): manifest on the testbed, plan centrally, then per file its chunks
 * (read on the testbed, written centrally) and a verified commit. A child workflow of the
 * measurement, id `<measurement workflow id>/artefacts`, started when a file must travel (the
 * measurement plans first, see shipRecordArtefacts), because the chunks are history: each
 * moves ~342 KiB twice (the read's result, the write's input). Inside the measurement workflow a
 * 100 MiB capture would add ~270 MiB of history; here a run moves at most `chunksPerRun` chunks
 * and then continues as new with what is done and what is left, so every run's history stays
 * under ~6 MiB whatever the files weigh, and the measurement's history holds only the child's
 * start and its small result (per artefact: path, bytes, sha256, present or why not).
 *
 * Never fails for a file: a file that cannot be shipped after the activities' retries (and one
 * whole new try when its central copy failed the checksum) is reported with its failure code,
 * the others go on. Idempotent per measurement: what the central folder already holds with the
 * same sha256 is not sent again; a part file of an interrupted transfer is resumed from its
 * last whole chunk. Cancelled: the part files of unfinished transfers are removed.
 */
import { CancellationScope, ContinueAsNew, continueAsNew, executeChild, isCancellation, ParentClosePolicy } from '@temporalio/workflow';
import {
  ARTEFACT_CHUNK_BYTES,
  CHUNKS_PER_RUN,
  chunkOffsets,
  notShipped,
  SHIP_TRIES,
  uniqueByPath,
  withShipping,
  type PlannedArtefact,
  type ShipArtefactsInput,
  type ShipArtefactsResult,
  type ShippedArtefact,
} from '../lib/artefacts/shipping';
import type { MatadorActivities } from '../lib/measurement/steps';
import type { ArtefactRef } from '../lib/types';
import { oneLine } from '../lib/workflow-text/clean';
import { stepProxies } from '../temporal/activity-options';
import { classifyStepFailure } from './failures';

type Left = PlannedArtefact & { tries: number };

function shipped(a: PlannedArtefact, testbed: string, failure: { failure: string; detail: string } | null): ShippedArtefact {
  return { kind: a.kind, path: a.path, bytes: a.bytes, sha256: a.sha256, testbed, present: failure === null, failure: failure?.failure ?? null, detail: failure?.detail ?? null };
}

/** Each listed file's outcome, in list order. */
function outcomeOf(listed: ArtefactRef[], done: ShippedArtefact[], testbed: string): ShippedArtefact[] {
  return listed.map((a) => done.find((d) => d.path === a.path) ?? notShipped([a], testbed, 'activity_error', 'shipping lost track of this file (a bug)')[0]);
}

type ShipActivities = Pick<MatadorActivities, 'artefactManifest' | 'prepareArtefacts'>;

/**
 * Manifest on the testbed, plan centrally: which files are there already (`done`, also the ones
 * missing on the testbed, with why) and which must travel (`left`). Never fails for a file: a
 * failed manifest or plan marks every file not yet accounted for as not shipped, with the
 * failure. Shared by the shipping workflow's first run and the measurement itself, which starts
 * the workflow only when something must travel.
 */
export async function planShipment(act: ShipActivities, o: { measurementId: string; testbed: string; artefacts: ArtefactRef[] }): Promise<{ done: ShippedArtefact[]; left: Left[] }> {
  const listed = uniqueByPath(o.artefacts);
  const done: ShippedArtefact[] = [];
  try {
    const manifest = await act.artefactManifest({ measurementId: o.measurementId, artefacts: listed });
    done.push(...manifest.missing.map((m) => ({ kind: m.kind, path: m.path, bytes: null, sha256: null, testbed: o.testbed, present: false, failure: m.failure, detail: m.detail })));
    const planned = await act.prepareArtefacts({ measurementId: o.measurementId, manifest });
    done.push(...planned.filter((p) => p.state === 'present').map((p) => shipped(p, o.testbed, null)));
    return { done, left: planned.filter((p) => p.state === 'send').map((p) => ({ ...p, tries: 0 })) };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const f = classifyStepFailure('artefactManifest', err);
    const unaccounted = listed.filter((a) => !done.some((d) => d.path === a.path));
    done.push(...notShipped(unaccounted, o.testbed, f.failure, `${f.failedOperation}: ${f.detail}`));
    return { done, left: [] };
  }
}

export async function shipArtefactsWorkflow(input: ShipArtefactsInput): Promise<ShipArtefactsResult> {
  const act = stepProxies({ testbed: input.testbed, timeoutScale: input.timeoutScale });
  const perRun = Math.max(1, input.chunksPerRun ?? CHUNKS_PER_RUN);
  const listed = uniqueByPath(input.artefacts);
  const counts = { chunks: input.progress?.chunks ?? 0, runs: (input.progress?.runs ?? 0) + 1 };
  const { done, left } = input.progress ? { done: [...input.progress.done], left: input.progress.left } : await planShipment(act, input);
  const result = (): ShipArtefactsResult => ({ artefacts: outcomeOf(listed, done, input.testbed), ...counts });

  let sentThisRun = 0;
  while (left.length > 0) {
    const a = left[0];
    let step = 'readArtefactChunk';
    try {
      for (const offset of chunkOffsets(a.from, a.bytes)) {
        if (sentThisRun >= perRun) await continueAsNew<typeof shipArtefactsWorkflow>({ ...input, progress: { done, left, ...counts } });
        step = 'readArtefactChunk';
        const { data } = await act.readArtefactChunk({ path: a.path, sha256: a.sha256, bytes: a.bytes, offset });
        step = 'writeArtefactChunk';
        await act.writeArtefactChunk({ path: a.path, sha256: a.sha256, bytes: a.bytes, offset, data });
        a.from = Math.min(a.bytes, offset + ARTEFACT_CHUNK_BYTES);
        sentThisRun++;
        counts.chunks++;
      }
      step = 'commitArtefact';
      await act.commitArtefact({ path: a.path, sha256: a.sha256, bytes: a.bytes });
      done.push(shipped(a, input.testbed, null));
      left.shift();
    } catch (err) {
      if (err instanceof ContinueAsNew) throw err;
      const parts = (isCancellation(err) ? left : [a]).map((p) => ({ path: p.path, sha256: p.sha256 }));
      await CancellationScope.nonCancellable(() => act.discardArtefactParts({ parts })).catch(() => undefined);
      if (isCancellation(err)) throw err;
      const f = classifyStepFailure(step, err);
      a.tries++;
      a.from = 0;
      if (a.tries < SHIP_TRIES && f.failure === 'artefact_transfer_failed') continue;
      done.push(shipped(a, input.testbed, { failure: f.failure, detail: `${f.failedOperation}: ${f.detail}` }));
      left.shift();
    }
  }
  return result();
}

/**
 * The record's artefact list with what shipping found (none when the list is empty). With
 * `planHere` the measurement runs the manifest and the plan itself and starts the shipping child
 * only when a file must travel: on one host, or a testbed whose folder the central one already
 * holds, nothing travels, and a child workflow per measurement cost the server an execution and
 * the measurement ~0.1 s. Without it (measurements started before) the child plans too. The
 * child never fails for a file; should it fail as a whole (a bug, a terminated child), every file
 * is marked not shipped with that failure: the record is persisted anyway and a re-run ships again.
 */
export async function shipRecordArtefacts(o: { workflowId: string; measurementId: string; testbed: string; artefacts: ArtefactRef[]; timeoutScale?: number; planHere?: boolean }): Promise<ArtefactRef[]> {
  if (o.artefacts.length === 0) return o.artefacts;
  let outcome: ShippedArtefact[];
  try {
    let progress: ShipArtefactsInput['progress'];
    if (o.planHere) {
      const plan = await planShipment(stepProxies({ testbed: o.testbed, timeoutScale: o.timeoutScale }), o);
      if (plan.left.length === 0) return withShipping(o.artefacts, outcomeOf(uniqueByPath(o.artefacts), plan.done, o.testbed));
      progress = { ...plan, chunks: 0, runs: 0 };
    }
    const r = await executeChild(shipArtefactsWorkflow, {
      workflowId: `${o.workflowId}/artefacts`,
      args: [{ measurementId: o.measurementId, testbed: o.testbed, artefacts: o.artefacts, ...(o.timeoutScale !== undefined ? { timeoutScale: o.timeoutScale } : {}), ...(progress ? { progress } : {}) }],
      // A cancelled measurement lets the child remove its part files.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: oneLine(`artefacts of ${o.measurementId}: ${o.artefacts.length} files from testbed ${o.testbed} to the central artefact folder`),
    });
    outcome = r.artefacts;
  } catch (err) {
    if (isCancellation(err)) throw err;
    const f = classifyStepFailure('shipArtefacts', err);
    outcome = notShipped(o.artefacts, o.testbed, 'artefact_transfer_failed', `shipArtefacts: ${f.failure}: ${f.detail}`);
  }
  return withShipping(o.artefacts, outcome);
}
