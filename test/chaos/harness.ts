/**
 * Chaos harness: a real Temporal dev server (optionally on a persistent SQLite file, so it can be
 * SIGKILLed and restarted on the same port), worker child processes per role, a seeded killer,
 * and checks on the real results store. Every process and file is released in `close()`.
 */
import type { ChildProcess } from 'child_process';
import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort } from '../../ops/dev-server';
import { seededRandom } from '../../lib/seeded-random';
import type { ExpandedPlan } from '../../activities/plan-loader';
import { ResultsStore } from '../../store/results-store';
import type { campaignWorkflow } from '../../workflows';
import type { ChaosWorkerConfig, PermanentFaults } from './chaos-worker';
import { startCampaign } from './scenario';
import { startTestServer, type TestServer } from '../support/dev-server';
import { spawnWorkerProcess, writeWorkflowBundle } from '../support/workers';

export interface ChaosWorker {
  child: ChildProcess;
  role: ChaosWorkerConfig['role'];
}

export class ChaosHarness {
  readonly dir: string;
  readonly resultsFile: string;
  readonly faultsFile: string;
  readonly faultLog: string;
  readonly planFile: string;
  server: TestServer | undefined;
  port = 0;
  private readonly children: ChildProcess[] = [];
  private bundleFile: string | undefined;
  private connection: Connection | undefined;

  constructor(
    readonly namespace: string,
    readonly plan: ExpandedPlan,
    readonly testbeds: string[],
    readonly o: { persistent?: boolean; stepDelayMs?: number; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-chaos-'));
    this.resultsFile = path.join(this.dir, 'results.sqlite');
    this.faultsFile = path.join(this.dir, 'faults.json');
    this.faultLog = path.join(this.dir, 'injected-faults.log');
    this.planFile = path.join(this.dir, 'plan.json');
    fs.writeFileSync(this.planFile, JSON.stringify(plan));
    this.setPermanentFaults({ notInstalled: [] });
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async startServer(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.server = await startTestServer({
      port: this.port,
      namespaces: [this.namespace],
      ...(this.o.persistent ? { dbFile: path.join(this.dir, 'temporal.db') } : {}),
    });
  }

  /** The usual start: the server, a central and a testbed worker process, then the campaign. */
  async start(campaign: string): Promise<{ testbed: ChaosWorker; client: Client; handle: WorkflowHandle<typeof campaignWorkflow> }> {
    await this.startServer();
    await this.startWorker('central');
    const testbed = await this.startWorker('testbed');
    return { testbed, ...(await this.startCampaign(campaign)) };
  }

  /** Starts the campaign workflow (scenario.ts); the client's connection is closed in close(). */
  async startCampaign(campaign: string): Promise<{ client: Client; handle: WorkflowHandle<typeof campaignWorkflow> }> {
    const started = await startCampaign(this.address, this.namespace, campaign);
    this.connection = started.connection;
    return { client: started.client, handle: started.handle };
  }

  /** SIGKILL the dev server (no clean shutdown) and wait until it is gone. */
  async killServer(): Promise<void> {
    const child = this.server!.child;
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await gone;
    }
    await this.server!.stop(); // gone already: removes its temporary folder
  }

  setPermanentFaults(faults: PermanentFaults): void {
    fs.writeFileSync(this.faultsFile, JSON.stringify(faults));
  }

  async startWorker(role: ChaosWorkerConfig['role']): Promise<ChaosWorker> {
    this.bundleFile ??= await writeWorkflowBundle(path.join(this.dir, 'workflows.js'));
    const config: ChaosWorkerConfig = {
      address: this.address,
      namespace: this.namespace,
      role,
      testbeds: this.testbeds,
      bundleFile: this.bundleFile,
      planFile: this.planFile,
      resultsFile: this.resultsFile,
      faultsFile: this.faultsFile,
      faultLog: this.faultLog,
      stepDelayMs: this.o.stepDelayMs,
    };
    const configFile = path.join(this.dir, `worker-${role}.json`);
    fs.writeFileSync(configFile, JSON.stringify(config));
    const child = await spawnWorkerProcess(path.join(__dirname, 'chaos-worker.ts'), configFile, { label: `chaos ${role} worker`, env: { ...process.env, ...this.o.env }, children: this.children });
    return { child, role };
  }

  async kill(worker: ChaosWorker): Promise<void> {
    const { child } = worker;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
  }

  /** Injected transient faults so far (lines of the workers' fault log). */
  injectedFaults(): number {
    return fs.existsSync(this.faultLog) ? fs.readFileSync(this.faultLog, 'utf8').split('\n').filter(Boolean).length : 0;
  }

  /** Every row of the results store, per measurement id (opened read-only for the check). */
  storeRows(): Map<string, Array<{ attempt: number; status: string; failure: string | null; runId: string }>> {
    const store = new ResultsStore({ file: this.resultsFile, readonly: true });
    try {
      const rows = new Map<string, Array<{ attempt: number; status: string; failure: string | null; runId: string }>>();
      for (const m of this.plan.measurements) {
        rows.set(
          m.measurementId,
          store.attempts(m.measurementId).map((a) => ({
            attempt: a.attempt,
            status: a.record.status,
            failure: a.record.failure,
            runId: (a.record.workflow as { runId: string }).runId,
          })),
        );
      }
      return rows;
    } finally {
      store.close();
    }
  }

  async close(): Promise<void> {
    await this.connection?.close();
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) {
        const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        c.kill('SIGKILL');
        await gone;
      }
    }
    await this.server?.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A harness for the tests of this file, closed after them (registers afterAll). */
export function useChaosHarness(...args: ConstructorParameters<typeof ChaosHarness>): ChaosHarness {
  const h = new ChaosHarness(...args);
  afterAll(() => h.close());
  return h;
}

/** Seeded kill moments: `count` delays in [minMs, maxMs). */
export function killDelays(seed: number, count: number, minMs: number, maxMs: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Math.round(minMs + random() * (maxMs - minMs)));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
