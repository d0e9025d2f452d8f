/**
 * No shared filesystem between the central worker and a testbed worker (issue 13): on the
 * emulated world "small", a central worker (workflows + central steps) and the worker of testbed
 * tb1, each with its OWN data folder, run one measurement (Threema, pl-waw -> es-mad) against a
 * real Temporal dev server. The testbed steps write captures, screenshots, raw traces, the
 * classification and the baselines into the testbed's folder; every artefact the stored record
 * lists arrives in the central folder under the same relative path with the sha256 the record
 * gives, and `matador artefacts get|list` retrieves and checks them from there.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { temporal } from '@temporalio/proto';
import { stringify } from 'yaml';
import { planDigest } from '../../activities';
import { loadCampaignPlan } from '../../activities/plan-loader';
import type { MeasurementInput } from '../../lib/measurement/payloads';
import { projectRoot } from '../../lib/project-paths';
import type { ArtefactRef } from '../../lib/types';
import { ResultsStore } from '../../store/results-store';
import { CENTRAL_TASK_QUEUE } from '../../temporal/conventions';
import { knownWorlds } from '../../testbed/world';
import { createMatadorWorker } from '../../workers/worker';
import { defaultActivities } from '../../workers/activities';
import { useTestServer } from '../support/dev-server';
import { matador } from '../support/matador-cli';
import { releaseAll } from '../support/release';
import { workflowBundle } from '../support/workers';
import { runCli, takeWorldDown } from '../world/helpers';

jest.setTimeout(300_000);

const CAMPAIGN = 'ship-world';
const NAMESPACE = 'artefacts-world';
const MEASUREMENT = `${CAMPAIGN}/threema/pl-waw/es-mad`;
const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'e2e');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-artefacts-world-'));
const dirs = { central: path.join(tmp, 'central'), testbed: path.join(tmp, 'testbed'), out: path.join(tmp, 'out') };
const resultsFile = path.join(dirs.central, 'results.sqlite');
let worldUp = false;
let artefacts: ArtefactRef[] = [];
let stopWorkers: (() => Promise<void>) | undefined;
const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Threema between two European nodes of the small world, the e2e fixtures' app and testbeds. */
function writeCampaign(): string {
  const file = path.join(tmp, `${CAMPAIGN}.yaml`);
  const nodes = { file: path.join(projectRoot, 'configs', 'nodes', 'planetlab-2015.yaml'), select: ['pl-waw', 'es-mad'] };
  const retry = { maxAttempts: 2, initialIntervalSec: 1, backoffCoefficient: 1, maxIntervalSec: 1 };
  const campaign = { schema: 'matador.campaign/v1', id: CAMPAIGN, description: 'artefacts shipped between data folders', nodes, apps: [path.join(FIXTURES, 'apps', 'threema.yaml')], testbeds: { file: path.join(FIXTURES, 'testbeds.yaml') }, timerScale: 0.01, retry };
  fs.writeFileSync(file, stringify(campaign));
  return file;
}

beforeAll(async () => {
  const others = knownWorlds();
  if (others.length > 0) throw new Error(`an emulated world is up (${others.join(', ')}): this test brings up "small" itself; run "matador testbed down" first`);
  worldUp = true; // before `up`: a world left half up is taken down too
  const up = await runCli(['testbed', 'up', 'small']);
  if (up.code !== 0) throw new Error(`matador testbed up small failed: ${up.stderr}`);
});

// Two workers, two data folders: the central one never gets the testbed's folder.
const live = useTestServer({
  namespaces: [NAMESPACE],
  setup: async ({ native }) => {
    const central = defaultActivities({ resultsFile, measurement: { dataDir: dirs.central } });
    const testbed = defaultActivities({ resultsFile: path.join(dirs.testbed, 'unused.sqlite'), measurement: { dataDir: dirs.testbed, receiveTimeoutMs: 15_000 } });
    const workers = [
      await createMatadorWorker({ role: 'central', connection: native, namespace: NAMESPACE, activities: central.activities, workflowBundle: await workflowBundle() }),
      await createMatadorWorker({ role: 'testbed', testbed: 'tb1', connection: native, namespace: NAMESPACE, activities: testbed.activities }),
    ];
    const runs = workers.map((w) => w.run());
    stopWorkers = async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(runs);
      central.close();
      testbed.close();
    };
  },
  teardown: () => stopWorkers?.(),
});

afterAll(async () => {
  await releaseAll([() => worldUp && takeWorldDown(), () => fs.rmSync(tmp, { recursive: true, force: true })]);
});

describe('a measurement with a central and a testbed worker on separate data folders', () => {
  beforeAll(async () => {
    const file = writeCampaign();
    const plan = loadCampaignPlan(file, { cwd: projectRoot });
    const spec = plan.measurements.find((m) => m.measurementId === MEASUREMENT)!;
    const input: MeasurementInput = { ...spec, config: { path: file, digest: planDigest(plan) }, attempts: plan.attempts };
    await live().client.workflow.execute('measurementWorkflow', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: MEASUREMENT, args: [input] });
    // Figures, not assertions: what shipping between two folders took for this measurement.
    const child = await live().client.workflow.getHandle(`${MEASUREMENT}/artefacts`).describe();
    const size = async (id: string): Promise<string> => {
      const h = await live().client.workflow.getHandle(id).fetchHistory();
      const largest = Math.max(...(h.events ?? []).map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish().length));
      return `${(temporal.api.history.v1.History.encode(h).finish().length / 1024).toFixed(1)} KiB in ${h.events?.length} events, largest ${(largest / 1024).toFixed(1)} KiB`;
    };
    console.log(`shipping between two folders: ${((child.closeTime?.getTime() ?? NaN) - child.startTime.getTime()) / 1000} s; history: measurement ${await size(MEASUREMENT)}, shipping child ${await size(`${MEASUREMENT}/artefacts`)}`);
    const store = new ResultsStore({ file: resultsFile, readonly: true });
    try {
      artefacts = store.latest(MEASUREMENT)?.record.artefacts ?? [];
    } finally {
      store.close();
    }
  });

  it('lists every artefact with its sha256 and testbed, each in the central folder with that sha256', () => {
    expect(new Set(artefacts.map((a) => a.kind))).toEqual(new Set(['capture', 'screenshot', 'traceroute-raw', 'classification', 'baseline']));
    for (const a of artefacts) {
      expect(a).toMatchObject({ testbed: 'tb1', present: true, failure: null });
      const copy = path.join(dirs.central, a.path);
      expect({ path: a.path, sha256: sha(copy), bytes: fs.statSync(copy).size }).toEqual({ path: a.path, sha256: a.sha256, bytes: a.bytes });
      expect(sha(path.join(dirs.testbed, a.path))).toBe(a.sha256); // written there, by the testbed steps
    }
  });

  it('writes the testbed steps\' files only in the testbed folder: the central one holds just what was shipped', () => {
    const listed = new Set(artefacts.map((a) => a.path));
    const centralFiles = ['artefacts', 'baselines'].flatMap((d) => fs.readdirSync(path.join(dirs.central, d), { recursive: true, encoding: 'utf8' }).map((f) => `${d}/${f}`)).filter((f) => fs.statSync(path.join(dirs.central, f)).isFile());
    expect(centralFiles.sort()).toEqual([...listed].sort());
    expect(fs.existsSync(path.join(dirs.central, 'runs'))).toBe(false); // the capture handles stay on the testbed
  });

  it('`matador artefacts get` copies them, verified; `list` checks them in place', async () => {
    const env = { ...process.env, MATADOR_DATA_DIR: dirs.central };
    const got = await matador(['artefacts', 'get', MEASUREMENT, '--results', resultsFile, '--out', dirs.out], { env });
    expect(got).toMatchObject({ code: 0, stderr: '' });
    console.log(`matador artefacts get ${MEASUREMENT} --out ${dirs.out}\n${got.stdout}`);
    expect(got.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^${artefacts.length} of ${artefacts.length} artefacts of ${MEASUREMENT} copied to ${dirs.out} \\(\\d+ bytes, sha256 verified\\)$`));
    for (const a of artefacts) expect(sha(path.join(dirs.out, a.path))).toBe(a.sha256);
    const listed = await matador(['artefacts', 'list', MEASUREMENT, '--results', resultsFile], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').filter((l) => l.startsWith('ok '))).toHaveLength(artefacts.length);
  });

  it('names a corrupt or missing central file in one line and exits 1; an unknown id is one line too', async () => {
    const env = { ...process.env, MATADOR_DATA_DIR: dirs.central };
    const [first, second] = artefacts;
    fs.appendFileSync(path.join(dirs.central, first.path), 'x');
    fs.rmSync(path.join(dirs.central, second.path));
    const bad = await matador(['artefacts', 'get', MEASUREMENT, '--results', resultsFile, '--out', path.join(tmp, 'out2')], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^matador: ${first.path}: corrupt in the central artefact folder: sha256 [0-9a-f]{64}, the record says ${first.sha256}; not copied$`)),
      `matador: ${second.path}: missing from the central artefact folder (${path.join(dirs.central, second.path)})`,
    ]);
    const unknown = await matador(['artefacts', 'list', `${CAMPAIGN}/threema/xx/yy`, '--results', resultsFile], { env });
    expect(unknown).toMatchObject({ code: 1, stderr: `matador: no measurement ${CAMPAIGN}/threema/xx/yy in ${resultsFile}\n` });
  });
});
