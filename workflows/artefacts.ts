/**
 * Ships one measurement's artefacts from the testbed's data folder to the central one
 * (lib/artefacts/shipping.ts): manifest on the testbed, plan centrally, then per file its chunks
 * (read on the testbed, written centrally) and a verified commit. A child workflow of the
 * measurement, id `<measurement workflow id>/artefacts`, because the chunks are history: each
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
import type { ArtefactRef } from '../lib/types';
import { oneLine } from '../lib/workflow-text/clean';
import { stepProxies } from '../temporal/activity-options';
import { classifyStepFailure } from './failures';

type Left = PlannedArtefact & { tries: number };

function shipped(a: PlannedArtefact, testbed: string, failure: { failure: string; detail: string } | null): ShippedArtefact {
  return { kind: a.kind, path: a.path, bytes: a.bytes, sha256: a.sha256, testbed, present: failure === null, failure: failure?.failure ?? null, detail: failure?.detail ?? null };
}

export async function shipArtefactsWorkflow(input: ShipArtefactsInput): Promise<ShipArtefactsResult> {
  const act = stepProxies({ testbed: input.testbed, timeoutScale: input.timeoutScale });
  const perRun = Math.max(1, input.chunksPerRun ?? CHUNKS_PER_RUN);
  const listed = uniqueByPath(input.artefacts);
  const done: ShippedArtefact[] = [...(input.progress?.done ?? [])];
  let left: Left[];
  const counts = { chunks: input.progress?.chunks ?? 0, runs: (input.progress?.runs ?? 0) + 1 };
  const result = (): ShipArtefactsResult => ({
    artefacts: listed.map((a) => done.find((d) => d.path === a.path) ?? notShipped([a], input.testbed, 'activity_error', 'shipping lost track of this file (a bug)')[0]),
    ...counts,
  });

  if (input.progress) {
    left = input.progress.left;
  } else {
    try {
      const manifest = await act.artefactManifest({ measurementId: input.measurementId, artefacts: listed });
      done.push(...manifest.missing.map((m) => ({ kind: m.kind, path: m.path, bytes: null, sha256: null, testbed: input.testbed, present: false, failure: m.failure, detail: m.detail })));
      const planned = await act.prepareArtefacts({ measurementId: input.measurementId, manifest });
      done.push(...planned.filter((p) => p.state === 'present').map((p) => shipped(p, input.testbed, null)));
      left = planned.filter((p) => p.state === 'send').map((p) => ({ ...p, tries: 0 }));
    } catch (err) {
      if (isCancellation(err)) throw err;
      const f = classifyStepFailure('artefactManifest', err);
      const unaccounted = listed.filter((a) => !done.some((d) => d.path === a.path));
      done.push(...notShipped(unaccounted, input.testbed, f.failure, `${f.failedOperation}: ${f.detail}`));
      return result();
    }
  }

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
 * The record's artefact list with what shipping found, from the shipping child workflow (none
 * when the list is empty). The child never fails for a file; should it fail as a whole (a bug,
 * a terminated child), every file is marked not shipped with that failure: the record is
 * persisted anyway and a re-run ships again.
 */
export async function shipRecordArtefacts(o: { workflowId: string; measurementId: string; testbed: string; artefacts: ArtefactRef[]; timeoutScale?: number }): Promise<ArtefactRef[]> {
  if (o.artefacts.length === 0) return o.artefacts;
  let outcome: ShippedArtefact[];
  try {
    const r = await executeChild(shipArtefactsWorkflow, {
      workflowId: `${o.workflowId}/artefacts`,
      args: [{ measurementId: o.measurementId, testbed: o.testbed, artefacts: o.artefacts, ...(o.timeoutScale !== undefined ? { timeoutScale: o.timeoutScale } : {}) }],
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
