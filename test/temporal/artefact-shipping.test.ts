/**
 * Artefact shipping at the workflow level (issue 13): the shipping child workflow and the
 * measurement workflow against a real Temporal dev server, with mock measurement steps and the
 * real shipping steps over two data folders (testbed and central) of this process; only the
 * chunk read is wrapped, to count chunks and to fail one file. Chunking with continue-as-new,
 * idempotence (nothing sent twice), resume from a part file, a failed transfer recorded while
 * the other files arrive, and a measurement whose failed attempt left a screenshot: every
 * artefact of the record arrives centrally with its sha256, the record says so. Prints the
 * history sizes measured.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApplicationFailure } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { writeArtefactChunk } from '../../activities/artefacts/central-side';
import { stepFailure } from '../../activities/steps/failures';
import { ARTEFACT_CHUNK_BYTES, ARTEFACT_CHUNK_PAYLOAD_BYTES, type ShipArtefactsResult } from '../../lib/artefacts/shipping';
import type { MeasurementInput, MeasurementRecord } from '../../lib/measurement/payloads';
import type { ArtefactRef } from '../../lib/types';
import { CENTRAL_TASK_QUEUE } from '../../temporal/conventions';
import { measurementWorkflow, shipArtefactsWorkflow } from '../../workflows';
import { useTestServer } from '../support/dev-server';
import { createMockActivities } from '../support/mock-activities';
import { makePlan } from '../support/plan-fixtures';
import { startWorkers, type RunningWorkers } from '../support/workers';

jest.setTimeout(120_000);

const NAMESPACE = 'artefact-shipping';
const ATTEMPT = 'artefacts/ship/threema/pl-waw/es-mad/attempt-1';
const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

let root = '';
let testbed = '';
let central = '';
let workers: RunningWorkers | undefined;
let client: Client;
let record: MeasurementRecord | undefined;
const chunksRead: string[] = [];
/** Paths whose chunk reads fail (non-retryable, so the test needs no retry waits). */
const failing = new Set<string>();

const plan = makePlan({ campaign: 'ship', apps: ['threema'], nodes: [{ id: 'pl-waw', country: 'PL' }, { id: 'es-mad', country: 'ES' }], testbeds: ['tb1'] });
const spec = plan.measurements.find((m) => m.nodeA.id !== m.nodeB.id)!;
const capture = crypto.randomBytes(4 * ARTEFACT_CHUNK_BYTES + 99); // 5 chunks
const FILES: Record<string, Buffer> = {
  [`${ATTEMPT}/capture-A.pcap`]: capture,
  [`${ATTEMPT}/screenshots/open-A-1.png`]: Buffer.from('a screenshot'),
};
const LIST: ArtefactRef[] = [
  { kind: 'capture', path: `${ATTEMPT}/capture-A.pcap` },
  { kind: 'screenshot', path: `${ATTEMPT}/screenshots/open-A-1.png` },
  { kind: 'ui-dump', path: `${ATTEMPT}/screenshots/never-written.xml` },
];

function writeTestbedFile(rel: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(path.join(testbed, rel)), { recursive: true });
  fs.writeFileSync(path.join(testbed, rel), data);
}

interface HistorySize {
  bytes: number;
  largestEvent: number;
  continuedAs: string | null;
}

async function historySize(workflowId: string, runId?: string): Promise<HistorySize> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  return {
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    largestEvent: Math.max(...events.map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish().length)),
    continuedAs: events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? null,
  };
}

async function runs(workflowId: string, firstRunId: string): Promise<HistorySize[]> {
  const out: HistorySize[] = [];
  for (let runId: string | undefined = firstRunId; runId; ) {
    const s = await historySize(workflowId, runId);
    out.push(s);
    runId = s.continuedAs ?? undefined;
  }
  return out;
}

async function ship(workflowId: string, chunksPerRun?: number): Promise<{ result: ShipArtefactsResult; runs: HistorySize[] }> {
  const handle = await client.workflow.start(shipArtefactsWorkflow, {
    taskQueue: CENTRAL_TASK_QUEUE,
    workflowId,
    args: [{ measurementId: spec.measurementId, testbed: 'tb1', artefacts: LIST, timeoutScale: 0.1, ...(chunksPerRun ? { chunksPerRun } : {}) }],
  });
  const result = await handle.result();
  return { result, runs: await runs(workflowId, handle.firstExecutionRunId) };
}

function partFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.part'));
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

async function startShippingWorkers(native: Parameters<typeof startWorkers>[0]['connection']): Promise<void> {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'artefact-shipping-'));
  testbed = path.join(root, 'testbed');
  central = path.join(root, 'central');
  for (const [rel, data] of Object.entries(FILES)) writeTestbedFile(rel, data);
  const mock = createMockActivities({ plan, record: () => undefined, shipping: { testbedDir: testbed, centralDir: central } });
  let startTries = 0;
  const activities = {
    ...mock,
    readArtefactChunk: async (req: Parameters<typeof mock.readArtefactChunk>[0]) => {
      if (failing.has(req.path)) throw ApplicationFailure.nonRetryable(`chunk ${req.offset} of ${req.path}: the test fails it`, 'artefact_transfer_failed');
      chunksRead.push(`${req.path}@${req.offset}`);
      return mock.readArtefactChunk(req);
    },
    // Attempt 1 fails opening the chat and leaves its failure screenshot; attempt 2 succeeds
    // with a capture and a chat screenshot (files written in the testbed folder, as the real steps do).
    startCapture: async (input: Parameters<typeof mock.startCapture>[0]) => {
      const dir = `artefacts/ship/threema/pl-waw/es-mad/attempt-${input.ctx.attempt}`;
      if (input.ctx.attempt === 1 && startTries++ === 0) {
        writeTestbedFile(`${dir}/screenshots/failed-open-A.png`, Buffer.from('failure screenshot'));
        throw stepFailure('ui_element_not_found', 'side A: open chat: no "Chats" on the screen', [{ kind: 'screenshot', path: `${dir}/screenshots/failed-open-A.png` }]);
      }
      writeTestbedFile(`${dir}/screenshots/open-A.png`, Buffer.from('chat screenshot'));
      return { ...(await mock.startCapture(input)), artefacts: [{ kind: 'screenshot', path: `${dir}/screenshots/open-A.png` }] };
    },
    fetchCapture: async (input: Parameters<typeof mock.fetchCapture>[0]) => {
      const rel = `artefacts/ship/threema/pl-waw/es-mad/attempt-${input.ctx.attempt}/capture-B.pcap`;
      writeTestbedFile(rel, capture.subarray(0, ARTEFACT_CHUNK_BYTES + 5));
      return { files: [{ side: 'B' as const, path: rel, bytes: ARTEFACT_CHUNK_BYTES + 5 }], artefacts: [{ kind: 'capture', path: rel }] };
    },
    persistRecord: async (input: Parameters<typeof mock.persistRecord>[0]) => {
      record = input.record;
      return mock.persistRecord(input);
    },
  };
  workers = await startWorkers({ connection: native, namespace: NAMESPACE, activities, testbeds: ['tb1'] });
}

// The workers stop (and the folders go) before the connections close and the server stops.
useTestServer({
  namespaces: [NAMESPACE],
  setup: async (live) => {
    await startShippingWorkers(live.native);
    client = new Client({ connection: live.connection, namespace: NAMESPACE });
  },
  teardown: async () => {
    try {
      await workers?.stop();
    } finally {
      if (root) fs.rmSync(root, { recursive: true, force: true });
    }
  },
});

describe('the shipping workflow', () => {
  it('ships in chunks across continue-as-new; every file arrives with its sha256, a missing one says why', async () => {
    chunksRead.length = 0;
    const { result, runs: hist } = await ship('ship/chunks', 2);
    expect(result.artefacts).toEqual([
      { ...LIST[0], bytes: capture.length, sha256: sha(capture), testbed: 'tb1', present: true, failure: null, detail: null },
      { ...LIST[1], bytes: 12, sha256: sha(FILES[LIST[1].path]), testbed: 'tb1', present: true, failure: null, detail: null },
      { ...LIST[2], bytes: null, sha256: null, testbed: 'tb1', present: false, failure: 'artefact_missing', detail: expect.stringContaining('never-written.xml: ENOENT') },
    ]);
    expect(result).toMatchObject({ chunks: 6, runs: 3 }); // 5 + 1 chunks, 2 per run
    expect(hist).toHaveLength(3);
    expect(chunksRead).toHaveLength(6);
    for (const rel of Object.keys(FILES)) expect(fs.readFileSync(path.join(central, rel))).toEqual(FILES[rel]);
    expect(partFiles(central)).toEqual([]);
    // A chunk is in history twice (read result, write input); nothing else comes near it.
    const largest = Math.max(...hist.map((h) => h.largestEvent));
    expect(largest).toBeGreaterThan(ARTEFACT_CHUNK_PAYLOAD_BYTES);
    expect(largest).toBeLessThan(ARTEFACT_CHUNK_PAYLOAD_BYTES + 4096);
    console.log(`shipping ${kib(capture.length + 12)} in 6 chunks, 2 per run: ${hist.length} runs of ${hist.map((h) => kib(h.bytes)).join(', ')}; largest event ${kib(largest)}`);
  });

  it('sends nothing the central folder already holds (idempotent per measurement)', async () => {
    chunksRead.length = 0;
    const { result } = await ship('ship/again');
    expect(result).toMatchObject({ chunks: 0, runs: 1 });
    expect(result.artefacts.map((a) => a.present)).toEqual([true, true, false]);
    expect(chunksRead).toEqual([]);
  });

  it('resumes from the part file an interrupted transfer left: only the missing chunks travel', async () => {
    fs.rmSync(path.join(central, LIST[0].path));
    const head = { path: LIST[0].path, sha256: sha(capture), bytes: capture.length };
    for (const offset of [0, ARTEFACT_CHUNK_BYTES]) writeArtefactChunk(central, { ...head, offset, data: capture.subarray(offset, offset + ARTEFACT_CHUNK_BYTES).toString('base64') });
    chunksRead.length = 0;
    const { result } = await ship('ship/resume');
    expect(result.chunks).toBe(3);
    expect(chunksRead).toEqual([2, 3, 4].map((i) => `${LIST[0].path}@${i * ARTEFACT_CHUNK_BYTES}`));
    expect(fs.readFileSync(path.join(central, LIST[0].path))).toEqual(capture);
    expect(partFiles(central)).toEqual([]);
  });

  it('records a failed transfer with its code, ships the other files, and leaves no part file', async () => {
    fs.rmSync(path.join(central, ATTEMPT), { recursive: true });
    failing.add(LIST[0].path);
    try {
      const { result } = await ship('ship/failed');
      expect(result.artefacts[0]).toMatchObject({ ...LIST[0], sha256: sha(capture), present: false, failure: 'artefact_transfer_failed', detail: expect.stringContaining('readArtefactChunk: chunk 0 of') });
      expect(result.artefacts[1]).toMatchObject({ present: true });
      expect(fs.existsSync(path.join(central, LIST[0].path))).toBe(false);
      expect(partFiles(central)).toEqual([]);
    } finally {
      failing.clear();
    }
  });
});

describe('a measurement whose first attempt failed', () => {
  let size: HistorySize;

  beforeAll(async () => {
    const input: MeasurementInput = { ...spec, config: { path: 'test:ship', digest: 'x' }, options: { timerScale: 0, timeoutScale: 0.1, maxAttempts: 2 } };
    await client.workflow.execute(measurementWorkflow, { taskQueue: CENTRAL_TASK_QUEUE, workflowId: spec.measurementId, args: [input] });
    size = await historySize(spec.measurementId);
  });

  it("ships every artefact of the record, the failed attempt's screenshot too, and lists each with sha256 and testbed", () => {
    const artefacts = record?.artefacts ?? [];
    expect(artefacts.map((a) => [a.kind, a.path.replace('artefacts/ship/threema/pl-waw/es-mad/', '')]).sort()).toEqual([
      ['capture', 'attempt-2/capture-B.pcap'],
      ['screenshot', 'attempt-1/screenshots/failed-open-A.png'],
      ['screenshot', 'attempt-2/screenshots/open-A.png'],
    ]);
    for (const a of artefacts) {
      const copy = fs.readFileSync(path.join(central, a.path));
      expect(a).toMatchObject({ bytes: copy.length, sha256: sha(copy), testbed: 'tb1', present: true, failure: null });
      expect(copy).toEqual(fs.readFileSync(path.join(testbed, a.path)));
    }
    expect((record?.attempts as unknown[] | undefined)?.[0]).toMatchObject({ failure: 'ui_element_not_found', artefacts: [{ kind: 'screenshot', path: 'artefacts/ship/threema/pl-waw/es-mad/attempt-1/screenshots/failed-open-A.png' }] });
  });

  it("keeps the chunks out of the measurement's history (the child workflow carries them)", async () => {
    const child = await historySize(`${spec.measurementId}/artefacts`);
    console.log(`measurement history ${kib(size.bytes)}, largest event ${kib(size.largestEvent)}; its shipping child ${kib(child.bytes)}, largest event ${kib(child.largestEvent)}`);
    expect(size.largestEvent).toBeLessThan(ARTEFACT_CHUNK_PAYLOAD_BYTES / 4);
    expect(child.largestEvent).toBeGreaterThan(ARTEFACT_CHUNK_PAYLOAD_BYTES);
  });
});
