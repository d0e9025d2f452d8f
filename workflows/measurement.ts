/**
 * One measurement = one (app, node pair) on one testbed (DESIGN 1 and 3). Each step is an
 * activity; testbed-bound steps run on `testbed-<id>`. An attempt that fails is cleaned up
 * (saga: abort the capture, tear down tunnels, reset phones) and the whole attempt is retried,
 * up to `maxAttempts`. Every attempt is recorded; the record is persisted also when it failed,
 * and then the workflow fails with the reason so `ExecutionStatus = "Failed"` filters work.
 * With `keepTunnelsForNext`, the teardown of a successful attempt leaves the tunnels up for the
 * next measurement of the same node pair (any failed or cancelled attempt: full teardown).
 */
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  setCurrentDetails,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { formatFailure, NO_FAILURE, type FailureCode, type FailureFields } from '../lib/failures';
import type { AttemptPolicy, AttemptRecord, MeasurementInput, MeasurementResult, MessageSent, StepContext, StepRecord } from '../lib/measurement/payloads';
import { runOptionsProblem } from '../lib/config/limits';
import { buildMeasurementRecord, type AttemptOutputs } from '../lib/record';
import type { TestbedKind } from '../lib/types';
import { stepProxies } from '../temporal/activity-options';
import { DEFAULT_MAX_ATTEMPTS, measurementSearchAttributes, SA, STAGE_CLEANUP, STAGE_DONE, STAGE_FAILED } from '../temporal/conventions';
import { shipRecordArtefacts } from './artefacts';
import { classifyStepFailure, failureFields, type StepFailure } from './failures';
import { measurementOutcomeDetails, measurementProgressDetails, type PersistOutcome } from '../lib/workflow-text/measurement';

export const ARTEFACT_SHIPPING_PATCH = 'matador-artefact-shipping';
/** Measurements with it plan their shipping themselves and start the shipping child only when a
 *  file must travel (workflows/artefacts.ts); earlier ones replay with the child planning. */
export const SHIPPING_PLANNED_HERE_PATCH = 'matador-shipping-planned-here';

/** Wait before attempt n (n >= 2): initial x coefficient^(n-2), capped. */
export function attemptBackoffSeconds(policy: AttemptPolicy | undefined, n: number): number {
  if (!policy) return 0;
  return Math.min(policy.maxIntervalSeconds, policy.initialIntervalSeconds * Math.pow(policy.backoffCoefficient, n - 2));
}

export const FEWER_UPSERTS_PATCH = 'matador-fewer-upserts';

/**
 * The MatadorStage setter of one run. The stage is the step's kind (`sendMessage`, not
 * `sendMessage#3`: the Web UI's current details name the message) and is upserted only when
 * it changes. Each upsert is a history event and a write to the server's visibility store
 * (9 % of the server's CPU samples at paper scale); this saves nine of them per measurement.
 * Runs started before the patch upsert every step's name, as they did.
 */
function stageSetter(): (step: string) => void {
  let last: string | null = null;
  return (step) => {
    const stage = step.replace(/#\d+$/, '');
    if ((stage !== step || stage === last) && patched(FEWER_UPSERTS_PATCH)) {
      if (stage === last) return;
      last = stage;
      upsertSearchAttributes([{ key: SA.stage, value: stage }]);
      return;
    }
    last = step;
    upsertSearchAttributes([{ key: SA.stage, value: step }]);
  };
}

/** The measurement's own search attributes, unless its starter set them (campaigns and reruns do). */
function nameMeasurement(input: MeasurementInput): void {
  const own = measurementSearchAttributes(input);
  const set = workflowInfo().typedSearchAttributes;
  if (patched(FEWER_UPSERTS_PATCH) && own.every((a) => set.get(a.key) === a.value)) return;
  upsertSearchAttributes(own);
}

/** Runs steps of one attempt, recording each (times, failure) and updating MatadorStage and,
 *  through `announce`, the workflow's current details (what the Web UI shows). */
class AttemptLog {
  constructor(
    readonly record: AttemptRecord,
    private readonly announce: (attempt: number, step: string) => void,
    private readonly setStage: (stage: string) => void,
  ) {}

  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.setStage(name);
    this.announce(this.record.attempt, name);
    const entry: StepRecord = { step: name, startedAt: new Date().toISOString(), finishedAt: null, ...NO_FAILURE };
    this.record.steps.push(entry);
    try {
      return await fn();
    } catch (err) {
      // A cancellation is no step failure: it passes unchanged, so the workflow sees it as one.
      if (isCancellation(err)) throw err;
      const failure = classifyStepFailure(name, err);
      Object.assign(entry, failureFields(failure));
      if (failure.artefacts) entry.artefacts = failure.artefacts;
      throw new StepFailed(failure, err);
    } finally {
      entry.finishedAt = new Date().toISOString();
    }
  }
}

class StepFailed extends Error {
  constructor(
    readonly failure: StepFailure,
    readonly original: unknown,
  ) {
    super(formatFailure(failure));
  }
}

export async function measurementWorkflow(input: MeasurementInput): Promise<MeasurementResult> {
  const optionsProblem = runOptionsProblem(input.options);
  if (optionsProblem) throw ApplicationFailure.nonRetryable(`measurement ${input.measurementId}: ${optionsProblem}`, 'config_invalid' satisfies FailureCode);
  const options = input.options ?? {};
  const maxAttempts = Math.max(1, options.maxAttempts ?? input.attempts?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const timerScale = options.timerScale ?? 1;
  const act = stepProxies({ testbed: input.testbed, timeoutScale: options.timeoutScale });
  nameMeasurement(input);
  const announce = (attempt: number, step: string): void => setCurrentDetails(measurementProgressDetails(input, attempt, maxAttempts, step));
  const setStage = stageSetter();

  const startedAt = new Date().toISOString();
  const attempts: AttemptRecord[] = [];
  let data: AttemptOutputs | null = null;
  let failure: FailureFields = NO_FAILURE;
  // Which kind of testbed ran it (provisionTunnels says; reports label emulated data).
  let testbedKind: TestbedKind | null = null;

  for (let n = 1; n <= maxAttempts && data === null; n++) {
    if (n > 1) {
      const backoffMs = attemptBackoffSeconds(input.attempts, n) * timerScale * 1000;
      if (backoffMs > 0) await sleep(Math.round(backoffMs));
    }
    const ctx: StepContext = {
      measurementId: input.measurementId,
      campaign: input.campaign,
      app: input.app,
      testbed: input.testbed,
      attempt: n,
      nodeA: input.nodeA,
      nodeB: input.nodeB,
      config: input.config,
    };
    const record: AttemptRecord = { attempt: n, startedAt: new Date().toISOString(), finishedAt: null, steps: [], ...NO_FAILURE, cleanedUp: false };
    attempts.push(record);
    const log = new AttemptLog(record, announce, setStage);
    let captureStarted = false;
    let fatal = false;
    try {
      const tunnels = await log.step('provisionTunnels', () => act.provisionTunnels({ ctx }));
      testbedKind = tunnels.testbedKind ?? testbedKind;
      const phones = await log.step('configurePhones', () => act.configurePhones({ ctx, tunnels }));
      // Each phone's clock offset, so every message time is put on the controller's clock.
      const clocks = Object.fromEntries(phones.phones.flatMap((p) => (p.clock ? [[p.side, p.clock]] : [])));
      captureStarted = true; // from here on a failure leaves a capture behind: compensate
      const capture = await log.step('startCapture', () => act.startCapture({ ctx }));
      const messages: MessageSent[] = [];
      for (const message of input.messages) {
        const waitMs = Math.round(message.waitSeconds * timerScale * 1000);
        if (waitMs > 0) await sleep(waitMs);
        messages.push(await log.step(`sendMessage#${message.index}`, () => act.sendMessage({ ctx, message, clocks })));
      }
      const settleMs = Math.round(((input.settleSeconds ?? 0) + (input.captureTailSeconds ?? 0)) * timerScale * 1000);
      if (settleMs > 0) await sleep(settleMs);
      await log.step('stopCapture', () => act.stopCapture({ ctx, capture }));
      captureStarted = false;
      const files = await log.step('fetchCapture', () => act.fetchCapture({ ctx, capture }));
      const classification = await log.step('classifyFlows', () => act.classifyFlows({ ctx, capture: files, messages }));
      const traced = await log.step('traceroutes', () => act.traceroutes({ ctx, endpoints: classification.endpoints, ...(input.traceroutes ? { traceroutes: input.traceroutes } : {}) }));
      const paths = await log.step('geolocate', () => act.geolocate({ ctx, paths: traced }));
      data = { tunnels, phones, capture, messages, files, classification, paths };
    } catch (err) {
      if (isCancellation(err)) {
        // Cancelled (the campaign was cancelled or terminated): the capture is aborted here, the
        // tunnels in `finally`, both shielded from the cancellation; then the cancellation stands.
        if (captureStarted) await CancellationScope.nonCancellable(() => log.step(STAGE_CLEANUP, () => act.abortCapture({ ctx }))).catch(() => undefined);
        throw err;
      }
      const stepFailure = err instanceof StepFailed ? err.failure : classifyStepFailure('measurementWorkflow', err);
      failure = failureFields(stepFailure);
      Object.assign(record, failure);
      // The failed step's evidence (failure screenshot, UI dump) stays with the failed attempt.
      if (stepFailure.artefacts) record.artefacts = stepFailure.artefacts;
      fatal = stepFailure.endsMeasurement;
      if (captureStarted) {
        // Saga compensation; must also run when the workflow is being cancelled.
        await CancellationScope.nonCancellable(() => log.step(STAGE_CLEANUP, () => act.abortCapture({ ctx }))).catch(() => undefined);
      }
    } finally {
      // Always: tear down tunnels and reset phones, also after failure or cancellation. The
      // tunnels stay up only after a fully successful attempt whose next measurement on this
      // testbed is the same node pair (the campaign says so); provisionTunnels checks them.
      const keepTunnels = data !== null && input.keepTunnelsForNext === true;
      const teardownCtx: StepContext = keepTunnels ? { ...ctx, keepTunnels: true } : ctx;
      const tornDown = await CancellationScope.nonCancellable(() => log.step('teardown', () => act.teardown({ ctx: teardownCtx }))).then(
        () => true,
        () => false,
      );
      record.cleanedUp = tornDown;
      record.finishedAt = new Date().toISOString();
    }
    if (fatal) break;
  }

  if (data) failure = NO_FAILURE;
  const record = buildMeasurementRecord({
    measurement: input,
    timerScale,
    startedAt,
    finishedAt: new Date().toISOString(),
    workflow: { workflowId: workflowInfo().workflowId, runId: workflowInfo().runId },
    attempts,
    failure,
    testbedKind,
    outputs: data,
  });
  // Every artefact of every attempt goes to the central artefact folder before the record is
  // stored (persistRecord reads the shipped classifications); a file that could not go says why.
  // A measurement started by a worker without shipping replays without it (its files were on
  // the one shared folder then).
  if (patched(ARTEFACT_SHIPPING_PATCH)) {
    setStage('shipArtefacts');
    announce(0, 'shipArtefacts');
    record.artefacts = await shipRecordArtefacts({ workflowId: workflowInfo().workflowId, measurementId: input.measurementId, testbed: input.testbed, artefacts: record.artefacts ?? [], timeoutScale: options.timeoutScale, planHere: patched(SHIPPING_PLANNED_HERE_PATCH) });
  }
  const persistLog = new AttemptLog({ attempt: 0, startedAt: record.finishedAt, finishedAt: null, steps: [], ...NO_FAILURE, cleanedUp: false }, announce, setStage);
  let persisted: PersistOutcome;
  try {
    const stored = await persistLog.step('persistRecord', () => act.persistRecord({ record }));
    persisted = { stored: stored.stored, ...(stored.access ? { access: stored.access } : {}) };
  } catch (err) {
    const persistFailure = failureFields(err instanceof StepFailed ? err.failure : classifyStepFailure('persistRecord', err));
    persisted = { stored: null, failure: formatFailure(persistFailure) };
    // The measurement's own failure stays first; a record that could not be stored says so too.
    failure = failure.failure ? { ...failure, detail: `${failure.detail ?? ''}; and then ${formatFailure(persistFailure)}` } : persistFailure;
  }

  // What it found (or where and why it failed): the Web UI's "current details" of this workflow.
  setCurrentDetails(measurementOutcomeDetails(record, persisted));

  const result: MeasurementResult = { measurementId: input.measurementId, status: failure.failure ? 'failed' : 'ok', ...failure, attempts, artefacts: record.artefacts ?? [] };
  if (result.status === 'ok') {
    setStage(STAGE_DONE);
    return result;
  }
  setStage(STAGE_FAILED);
  throw ApplicationFailure.create({
    type: 'measurement_failed' satisfies FailureCode,
    message: formatFailure(failure) || 'failed',
    nonRetryable: true,
    details: [result],
  });
}
