/**
 * `matador server`, `matador campaign start|status|list` and the real (mock-free) activities,
 * end to end: real dev server binary, real temporal CLI, bin/matador as a child process.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { ActivityFailure, ApplicationFailure, type Client, WorkflowFailedError } from '@temporalio/client';
import Database from 'better-sqlite3';
import { freePort } from '../../ops/dev-server';
import { projectRoot, temporalBinary } from '../../lib/project-paths';
import { CENTRAL_TASK_QUEUE, SEARCH_ATTRIBUTE_NAMES } from '../../temporal/conventions';
import type { CampaignSummary } from '../../lib/measurement/payloads';
import { campaignWorkflow } from '../../workflows';
import { useTestServer } from '../support/dev-server';
import { startRealWorkers, type RunningWorkers } from '../support/workers';
import { matador as matadorCli, type CliRun } from '../support/matador-cli';

const exec = promisify(execFile);
/** `bin/matador ARGS` with extra environment variables. */
function matador(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return matadorCli(args, { env: { ...process.env, ...env } });
}

async function searchAttributes(address: string): Promise<string[]> {
  const { stdout } = await exec(temporalBinary, ['operator', 'search-attribute', 'list', '--address', address, '--output', 'json']);
  const parsed = JSON.parse(stdout) as { customAttributes?: Record<string, string> };
  return Object.keys(parsed.customAttributes ?? {}).filter((n) => n.startsWith('Matador')).sort();
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('matador server', () => {
  const dataDir = path.join(tmp, 'data');
  const env = { MATADOR_DATA_DIR: dataDir };

  afterAll(async () => {
    await matador(['server', '--stop'], env); // also on failure: never leave a server behind
  });

  it('starts detached with the search attributes, reports status and stops', async () => {
    const port = await freePort();
    const uiPort = await freePort();
    const started = await matador(['server', '--port', String(port), '--ui-port', String(uiPort)], env);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`gRPC:   127.0.0.1:${port}`);
    expect(fs.existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'temporal.log'))).toBe(true);
    const pid = (JSON.parse(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8')) as { pid: number }).pid;

    const status = await matador(['server', '--status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`running (pid ${pid}`);
    expect(await searchAttributes(`127.0.0.1:${port}`)).toEqual([...SEARCH_ATTRIBUTE_NAMES].sort());

    const again = await matador(['server', '--port', String(port), '--ui-port', String(uiPort)], env);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`matador: the Temporal dev server is already running (pid ${pid}, 127.0.0.1:${port}); "matador server --stop" stops it`);

    const stopped = await matador(['server', '--stop'], env);
    expect(stopped.stdout).toContain(`stopped (pid ${pid})`);
    const after = await matador(['server', '--status'], env);
    expect(after.code).toBe(3);
    expect(after.stdout).toContain('not running');
  });

  it('registers the search attributes on an existing database that lacks them', async () => {
    const dbFile = path.join(tmp, 'old.db');
    const port = await freePort();
    // A database created without any Matador attribute, by the bare binary.
    const bare = spawn(temporalBinary, ['server', 'start-dev', '--db-filename', dbFile, '--port', String(port), '--headless', '--log-level', 'error'], { stdio: 'ignore' });
    try {
      let healthy = false;
      for (let i = 0; i < 100 && !healthy; i++) {
        healthy = await exec(temporalBinary, ['operator', 'cluster', 'health', '--address', `127.0.0.1:${port}`]).then(
          () => true,
          () => false,
        );
        if (!healthy) await new Promise((r) => setTimeout(r, 200));
      }
      expect(healthy).toBe(true);
      expect(await searchAttributes(`127.0.0.1:${port}`)).toEqual([]);
    } finally {
      bare.kill('SIGTERM');
      await new Promise((r) => bare.once('exit', r));
    }
    const uiPort = await freePort();
    const started = await matador(['server', '--db', dbFile, '--port', String(port), '--ui-port', String(uiPort), '--headless'], env);
    expect(started.code).toBe(0);
    expect(await searchAttributes(`127.0.0.1:${port}`)).toEqual([...SEARCH_ATTRIBUTE_NAMES].sort());
    expect((await matador(['server', '--stop'], env)).code).toBe(0);
  });
});

describe('campaigns with the real activities', () => {
  let workers: RunningWorkers;
  const resultsFile = path.join(tmp, 'results.sqlite');
  const configs = path.join(projectRoot, 'configs');

  function writeCampaign(name: string, extra = ''): string {
    const file = path.join(tmp, `${name}.yaml`);
    fs.writeFileSync(
      file,
      [
        'schema: matador.campaign/v1',
        `id: ${name}`,
        'nodes:',
        `  file: ${path.join(configs, 'nodes', 'planetlab-2015.yaml')}`,
        '  select: [de-ber, es-mad]',
        'apps:',
        `  - ${path.join(configs, 'apps', 'threema.yaml')}`,
        `  - ${path.join(configs, 'apps', 'whatsapp.yaml')}`,
        'testbeds:',
        `  file: ${path.join(configs, 'testbeds', 'emulated-2.yaml')}`,
        'timerScale: 0.01',
        extra,
      ].join('\n'),
    );
    return file;
  }

  const live = useTestServer({
    setup: async ({ native }) => {
      workers = await startRealWorkers({ connection: native, namespace: 'default', resultsFile, testbeds: ['tb1', 'tb2'] });
    },
    teardown: () => workers?.stop(),
  });
  const client = (): Client => live().client;
  const address = (): string => live().server.address;

  it('runs the real steps: with the testbeds\' world not up every measurement fails with world_not_up, the campaign reports it', async () => {
    const file = writeCampaign('real-cli');
    // Started with the temporal CLI, exactly as a user would.
    await exec(temporalBinary, [
      'workflow', 'start', '--address', address(), '--type', 'campaignWorkflow', '--task-queue', CENTRAL_TASK_QUEUE,
      '--workflow-id', 'campaign/real-cli', '--input', JSON.stringify({ config: file }),
    ]);
    const summary: CampaignSummary = await client().workflow.getHandle('campaign/real-cli').result();
    expect(summary).toMatchObject({ campaign: 'real-cli', total: 6, ok: 0, failed: 6 });
    // The testbeds (emulated-2.yaml) live in the world "paper", which this test never brings up.
    const worldNotUp = { failure: 'world_not_up', failedOperation: 'provisionTunnels', detail: expect.stringMatching(/^emulated world paper: /) };
    for (const f of summary.failures) expect(f).toMatchObject(worldNotUp);
    expect(summary.failures.map((f) => f.measurementId).sort()).toEqual(
      ['es-mad/es-mad', 'es-mad/de-ber', 'de-ber/de-ber'].flatMap((p) => [`real-cli/threema/${p}`, `real-cli/whatsapp/${p}`]).sort(),
    );

    // The failed records are in the results store, with the attempt's steps.
    const db = new Database(resultsFile, { readonly: true });
    try {
      const rows = db.prepare("SELECT measurement_id, status, failure, record FROM attempts WHERE campaign = 'real-cli'").all() as Array<{ measurement_id: string; status: string; failure: string; record: string }>;
      expect(rows).toHaveLength(6);
      for (const row of rows) {
        expect(row.status).toBe('failed');
        expect(row.failure).toBe('world_not_up');
        const record = JSON.parse(row.record) as { attempts: Array<{ cleanedUp: boolean; steps: Array<{ step: string; failure: string | null }> }> };
        // world_not_up ends the measurement (another attempt cannot help); teardown finds nothing to release
        expect(record.attempts).toHaveLength(1);
        expect(record.attempts[0].steps).toEqual([
          expect.objectContaining({ step: 'provisionTunnels', ...worldNotUp }),
          expect.objectContaining({ step: 'teardown', failure: null }),
        ]);
        expect(record.attempts[0].cleanedUp).toBe(true);
      }
    } finally {
      db.close();
    }

    const status = await matador(['campaign', 'status', 'real-cli', '--address', address()]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Campaign real-cli: 6 of 6 measurements finished, 0 ok, 6 failed');
  });

  it('matador campaign start checks the testbeds first: the world is not up, so it refuses, naming the testbeds and the fix', async () => {
    const file = writeCampaign('real-refused');
    const refused = await matador(['campaign', 'start', file, '--address', address()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('matador: campaign real-refused not started: 2 testbed checks failed (the ✘ rows above say what to do); fix them, or start with --no-check');
    for (const tb of ['tb1', 'tb2']) {
      expect(refused.stdout).toMatch(new RegExp(`^✘ ${tb} +testbed +testbed-${tb} +testbed readable: world_not_up: `, 'm'));
    }
    expect(refused.stdout).toContain('    fix: bring the emulated world up ("matador testbed up")');
    expect(refused.stdout).not.toContain('Started campaign');
    await expect(client().workflow.getHandle('campaign/real-refused').describe()).rejects.toThrow();
  });

  it('matador campaign start --no-check validates, starts the workflow, and status/list show it', async () => {
    const file = writeCampaign('real-start');
    const started = await matador(['campaign', 'start', file, '--address', address(), '--wait', '--no-check']);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toContain('Started campaign real-start: workflow campaign/real-start');
    expect(started.stdout).toContain('Campaign real-start: 6 of 6 measurements finished, 0 ok, 6 failed');
    const list = await matador(['campaign', 'list', '--address', address(), '--json']);
    const rows = JSON.parse(list.stdout) as Array<{ workflowId: string; status: string }>;
    expect(rows).toContainEqual(expect.objectContaining({ workflowId: 'campaign/real-start', status: 'COMPLETED' }));

    // What a person sees in the Web UI / the temporal CLI: summary and details of each workflow.
    const temporal = async (...args: string[]) => (await exec(temporalBinary, ['workflow', ...args, '--address', address()])).stdout;
    const campaignDescribe = await temporal('describe', '--workflow-id', 'campaign/real-start');
    const campaignMetadata = await temporal('metadata', '--workflow-id', 'campaign/real-start');
    const child = 'real-start/threema/es-mad/de-ber';
    const childDescribe = await temporal('describe', '--workflow-id', child);
    const childMetadata = await temporal('metadata', '--workflow-id', child);
    // `describe`: the summary and details the CLI started the campaign with, and the campaign its measurement with
    expect(campaignDescribe).toMatch(/^ +StaticSummary +"campaign real-start: 6 measurements on 2 testbeds"$/m);
    expect(campaignDescribe).toMatch(/^ +StaticDetails +"config `.+real-start\.yaml`\\n\\n- apps: threema, whatsapp\\n- testbeds: tb1, tb2"$/m);
    expect(childDescribe).toMatch(/^ +StaticSummary +"measurement threema es-mad→de-ber \(tb[12]\)"$/m);
    expect(childDescribe).toContain('\\n- node A es-mad (ES, Madrid) → node B de-ber (DE, Berlin)\\n- 10 messages (5 from A, 5 from B)\\n');
    // `metadata`: the current details the workflows set: the outcome, where and why it failed
    expect(campaignMetadata).toMatch(
      /Current Details:\n +campaign real-start done: 6 measurements, 0 ok, 6 failed \(1 workflow run\)\n\n- \*\*Drift\*\*: no earlier run of real-start to compare with\n- last failure: `real-start\/[a-z/-]+`: `world_not_up: provisionTunnels: emulated world paper: [^`]+` \(5 more: see matador campaign status\)\n- testbed tb1: 4 of 4 \(4 failed\)\n- testbed tb2: 2 of 2 \(2 failed\)\n/,
    );
    expect(childMetadata).toMatch(
      /Current Details:\n +threema es-mad→de-ber: failed at provisionTunnels: world_not_up — `emulated world paper: world paper is not up [^`]+`\n\n- testbed tb[12], 1 attempt, finished \S+Z\n- record stored: `real-start\/threema\/es-mad\/de-ber#1`\n/,
    );
  });

  it('an invalid config starts nothing: the CLI prints one line, the workflow fails with invalid_config', async () => {
    const file = writeCampaign('real-bad', 'assignment: sideways');
    const cli = await matador(['campaign', 'start', file, '--address', address()]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toBe('');
    expect(cli.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^matador: .*real-bad\.yaml: assignment: expected one of "pair", "measurement", got "sideways"$/)]);

    // Started directly (no local validation): the loadCampaign activity refuses, non-retryably.
    const handle = await client().workflow.start(campaignWorkflow, { taskQueue: CENTRAL_TASK_QUEUE, workflowId: 'campaign/real-bad', args: [{ config: file }] });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (err as WorkflowFailedError).cause;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    const cause = (activityFailure as ActivityFailure).cause as ApplicationFailure;
    expect(cause.type).toBe('config_invalid');
    expect(cause.message).toMatch(/real-bad\.yaml: assignment: expected one of "pair", "measurement", got "sideways"/);
    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes || e.startChildWorkflowExecutionInitiatedEventAttributes);
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? 'child')).toEqual(['loadCampaign']);

    const status = await matador(['campaign', 'status', 'real-bad', '--address', address()]);
    expect(status.stdout).toMatch(/^Campaign workflow campaign\/real-bad: failed at .*: .*assignment: expected one of/);
  });
});
