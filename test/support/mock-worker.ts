/**
 * A worker process with mock activities, for the crash test: central + testbed workers in one
 * process, every activity call and every persisted record written to SQLite so the test can
 * count them after SIGKILLing this process and starting another.
 *
 *   node node_modules/tsx/dist/cli.mjs test/support/mock-worker.ts CONFIG.json
 * CONFIG: { address, namespace, bundleFile, planFile, dbFile, testbeds, stepDelayMs }
 */
import * as fs from 'fs';
import Database from 'better-sqlite3';
import type { ExpandedPlan } from '../../activities/plan-loader';
import { createMockActivities } from './mock-activities';
import { quietRuntime, runWorkerProcess } from './workers';

interface MockWorkerConfig {
  address: string;
  namespace: string;
  bundleFile: string;
  planFile: string;
  dbFile: string;
  testbeds: string[];
  stepDelayMs?: number;
}

export function openMockDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS events (pid INTEGER, kind TEXT, step TEXT, measurement_id TEXT, testbed TEXT, attempt INTEGER, activity_attempt INTEGER);
           CREATE TABLE IF NOT EXISTS completions (measurement_id TEXT, run_id TEXT, status TEXT, pid INTEGER, UNIQUE (measurement_id, run_id));`);
  return db;
}

async function run(): Promise<void> {
  quietRuntime();
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as MockWorkerConfig;
  const plan = JSON.parse(fs.readFileSync(config.planFile, 'utf8')) as ExpandedPlan;
  const db = openMockDb(config.dbFile);
  const insertEvent = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)');
  // Idempotent per workflow run, like the real results store: an activity retried after a
  // crash writes nothing new, a measurement run twice shows up twice.
  const insertCompletion = db.prepare('INSERT OR IGNORE INTO completions VALUES (?, ?, ?, ?)');
  const activities = createMockActivities({
    plan,
    stepDelayMs: config.stepDelayMs,
    record: (e) => insertEvent.run(process.pid, e.kind, e.step, e.measurementId, e.testbed, e.attempt, e.activityAttempt),
    saveRecord: (id, runId, status) => insertCompletion.run(id, runId, status, process.pid),
  });
  await runWorkerProcess({ address: config.address, namespace: config.namespace, bundleFile: config.bundleFile, activities, testbeds: config.testbeds });
  db.close();
}

if (require.main === module) {
  run().catch((err) => {
    process.stderr.write(`mock-worker: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
