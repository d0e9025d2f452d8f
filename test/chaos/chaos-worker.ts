/**
 * A worker process for the chaos tests, one role per process so the testbed worker can be
 * SIGKILLed alone:
 *   node --import tsx test/chaos/chaos-worker.ts CONFIG.json
 * CONFIG: { address, namespace, role: central|testbed, testbeds, bundleFile, planFile,
 *           resultsFile, faultsFile, faultLog, stepDelayMs }
 * Activities: the typed mock steps of test/support (no hardware), wrapped like a real worker:
 * heartbeating, MATADOR_INJECT_FAULTS (transient faults, activities/fault-injection.ts), and a
 * permanent "app not installed" fault read from `faultsFile` at each configurePhones call
 * ({ notInstalled: [{ testbed, app }] }, editable while the worker runs: the "fix"). Records go
 * to a real results store (central role) through the same storeRecord as the real worker.
 */
import * as fs from 'fs';
import { ApplicationFailure } from '@temporalio/activity';
import { heartbeating } from '../../activities/heartbeat';
import { maybeInjectFaults } from '../../activities/fault-injection';
import type { ExpandedPlan } from '../../activities/plan-loader';
import type { MatadorActivities } from '../../lib/measurement/steps';
import { ResultsStore, storeRecord } from '../../store/results-store';
import { createMockActivities } from '../support/mock-activities';
import { quietRuntime, runWorkerProcess } from '../support/workers';

export interface ChaosWorkerConfig {
  address: string;
  namespace: string;
  role: 'central' | 'testbed';
  testbeds: string[];
  bundleFile: string;
  planFile: string;
  resultsFile: string;
  faultsFile: string;
  /** One line per injected transient fault (pid, step). */
  faultLog: string;
  stepDelayMs?: number;
}

export interface PermanentFaults {
  notInstalled: Array<{ testbed: string; app: string }>;
}

/** The failure a phone without the app gives (type + message; the workflow prefixes the step). */
export const APP_NOT_INSTALLED = 'app_not_installed';

function readFaults(file: string): PermanentFaults {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PermanentFaults;
  } catch {
    return { notInstalled: [] };
  }
}

export function chaosActivities(config: ChaosWorkerConfig, store: () => ResultsStore): MatadorActivities {
  const plan = JSON.parse(fs.readFileSync(config.planFile, 'utf8')) as ExpandedPlan;
  const mock = createMockActivities({ plan, record: () => undefined, stepDelayMs: config.stepDelayMs });
  const withPermanent: MatadorActivities = {
    ...mock,
    configurePhones: async (input) => {
      const { ctx } = input;
      if (readFaults(config.faultsFile).notInstalled.some((f) => f.testbed === ctx.testbed && f.app === ctx.app)) {
        throw ApplicationFailure.nonRetryable(`${ctx.app} is not installed on phone ${ctx.testbed}-pa`, APP_NOT_INSTALLED);
      }
      return mock.configurePhones(input);
    },
    persistRecord: async ({ record }) => ({ stored: storeRecord(store(), record) }),
  };
  const injected = maybeInjectFaults(withPermanent);
  if (injected !== withPermanent) {
    // Count the injected faults: wrap once more, around the injector, to see its throws.
    for (const [name, fn] of Object.entries(injected)) {
      (injected as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
        try {
          return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        } catch (err) {
          if (err instanceof ApplicationFailure && err.type === 'injected_fault') fs.appendFileSync(config.faultLog, `${process.pid} ${name}\n`);
          throw err;
        }
      };
    }
  }
  return Object.fromEntries(Object.entries(injected).map(([n, fn]) => [n, heartbeating(fn as (...a: unknown[]) => Promise<unknown>)])) as unknown as MatadorActivities;
}

async function run(): Promise<void> {
  quietRuntime();
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as ChaosWorkerConfig;
  let store: ResultsStore | undefined;
  const activities = chaosActivities(config, () => (store ??= new ResultsStore({ file: config.resultsFile })));
  await runWorkerProcess({ address: config.address, namespace: config.namespace, bundleFile: config.bundleFile, activities, testbeds: config.testbeds, roles: [config.role] });
  store?.close();
}

if (require.main === module) {
  run().catch((err) => {
    process.stderr.write(`chaos-worker: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
