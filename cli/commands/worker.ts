/**
 * `matador worker --role central|testbed [--testbed ID]`: run a Temporal worker.
 *   central  task queue matador-central: campaign + measurement workflows, config/plan,
 *            classification, geolocation and persistence activities (one per installation)
 *   testbed  task queue testbed-<id>: the steps that drive a testbed's phones and routers;
 *            one per testbed, on the host that reaches it
 * Runs until Ctrl-C / SIGTERM (finishing the tasks at hand). A frontend that does not answer yet
 * is retried with backoff (cli/worker-connect.ts); a TLS refusal ends it with one line.
 */
import type { Command } from 'commander';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { ID_PATTERN } from '../../lib/config/fields';
import { CliError } from '../errors';
import { addTemporalOptions, temporalTarget, type TemporalCliOptions } from '../temporal-client';
import { connectWorker } from '../worker-connect';
import { defaultStoreFile } from '../../store';
import { defaultActivities } from '../../workers/activities';
import { createMatadorWorker, taskQueueFor, type WorkerRole } from '../../workers/worker';

interface WorkerCliOptions extends TemporalCliOptions {
  role: string;
  testbed?: string;
  results?: string;
  logLevel: string;
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

async function runWorker(o: WorkerCliOptions): Promise<void> {
  if (o.role !== 'central' && o.role !== 'testbed') throw new CliError(`--role: expected "central" or "testbed", got ${JSON.stringify(o.role)}`);
  const role: WorkerRole = o.role;
  if (role === 'testbed' && !o.testbed) throw new CliError('--role testbed needs --testbed ID (the id in the testbeds config)');
  if (role === 'central' && o.testbed) throw new CliError('--testbed is only for --role testbed');
  if (o.testbed && !ID_PATTERN.test(o.testbed)) throw new CliError(`--testbed: expected an id (lowercase letters, digits, "-"), got ${JSON.stringify(o.testbed)}`);
  const level = o.logLevel.toUpperCase();
  if (!LOG_LEVELS.includes(level)) throw new CliError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(o.logLevel)}`);
  Runtime.install({ logger: new DefaultLogger(level as LogLevel) });
  const target = temporalTarget(o);
  const connection = await connectWorker(target, (line) => process.stderr.write(`matador worker: ${line}\n`));
  if (!connection) return; // stopped (Ctrl-C / SIGTERM) before it could connect
  const { activities, close } = defaultActivities({ resultsFile: o.results });
  try {
    const worker = await createMatadorWorker({ role, testbed: o.testbed, connection, namespace: target.namespace, activities });
    const taskQueue = taskQueueFor(role, o.testbed);
    process.stdout.write(`matador worker (${role}) on ${target.address}, namespace ${target.namespace}, task queue ${taskQueue}\n`);
    const stop = (): void => worker.shutdown();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await worker.run();
  } finally {
    close();
    await connection.close();
  }
}

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('worker')
      .description(
        'Run a Temporal worker.\n' +
          '--role central: task queue matador-central; campaign and measurement workflows,\n' +
          '  config, analysis and persistence activities (one per installation).\n' +
          '--role testbed --testbed ID: task queue testbed-ID; the steps on that testbed\'s\n' +
          '  phones and routers (one per testbed, on the host that reaches it).',
      )
      .requiredOption('--role <role>', 'central | testbed')
      .option('--testbed <id>', 'testbed id (with --role testbed)')
      .option('--log-level <level>', 'SDK log level: trace, debug, info, warn, error', 'warn')
      .option('--results <file>', `results database (central; default ${defaultStoreFile()})`),
  ).action((o: WorkerCliOptions) => runWorker(o));
}
