import Database from 'better-sqlite3';
import * as fs from 'fs';
import * as path from 'path';
import { readableRecord } from '../lib/record/read';
import { MEASUREMENT_SCHEMA, type ArtefactRef, type MeasurementRecord } from '../lib/types';
import { DRIFT_DDL } from './drift-ddl';

export type { ArtefactRef } from '../lib/types';

/**
 * The results database: one row per (measurement id, attempt), so a retried attempt never
 * overwrites the evidence of an earlier one and writing the same attempt twice (an activity
 * retried after a worker crash) changes nothing. SQLite in WAL mode: readers (reports) do not
 * block the writer (the persist activity).
 */

export interface StoredAttempt {
  measurementId: string;
  attempt: number;
  record: MeasurementRecord;
}

export interface ResultsStoreOptions {
  /** Database file; created with its folder when missing. */
  file: string;
  readonly?: boolean;
}

const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
  measurement_id TEXT NOT NULL,
  attempt        INTEGER NOT NULL,
  campaign       TEXT NOT NULL,
  app            TEXT NOT NULL,
  node_a         TEXT NOT NULL,
  node_b         TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  failure        TEXT,
  started_at     TEXT NOT NULL,
  finished_at    TEXT NOT NULL,
  record         TEXT NOT NULL,
  PRIMARY KEY (measurement_id, attempt)
);
CREATE INDEX IF NOT EXISTS attempts_by_campaign ON attempts (campaign, measurement_id);
CREATE TABLE IF NOT EXISTS artefacts (
  measurement_id TEXT NOT NULL,
  attempt        INTEGER NOT NULL,
  kind           TEXT NOT NULL,
  path           TEXT NOT NULL,
  PRIMARY KEY (measurement_id, attempt, kind, path)
);
${DRIFT_DDL}`;

export class ResultsStore {
  private readonly db: Database.Database;

  constructor(options: ResultsStoreOptions) {
    if (!options.readonly) fs.mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
    try {
      this.db = new Database(options.file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (err) {
      throw new Error(`results store ${options.file}: cannot open: ${(err as Error).message}`);
    }
    this.db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.exec(DDL);
      this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
    }
  }

  /** Writes one attempt's record. Idempotent: the same (id, attempt) written again replaces itself. */
  putAttempt(attempt: number, record: MeasurementRecord, artefacts: ArtefactRef[] = []): void {
    assertRecord(record);
    if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`results store: attempt must be an integer >= 1, got ${attempt}`);
    const write = this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO attempts (measurement_id, attempt, campaign, app, node_a, node_b, status, failure, started_at, finished_at, record)
           VALUES (@id, @attempt, @campaign, @app, @nodeA, @nodeB, @status, @failure, @startedAt, @finishedAt, @record)
           ON CONFLICT (measurement_id, attempt) DO UPDATE SET
             campaign = excluded.campaign, app = excluded.app, node_a = excluded.node_a, node_b = excluded.node_b,
             status = excluded.status, failure = excluded.failure, started_at = excluded.started_at,
             finished_at = excluded.finished_at, record = excluded.record`,
        )
        .run({
          id: record.measurementId,
          attempt,
          campaign: record.campaign,
          app: record.app,
          nodeA: record.nodeA.id,
          nodeB: record.nodeB.id,
          status: record.status,
          failure: record.failure,
          startedAt: record.startedAt,
          finishedAt: record.finishedAt,
          record: JSON.stringify(record),
        });
      const insertArtefact = this.db.prepare(
        'INSERT OR IGNORE INTO artefacts (measurement_id, attempt, kind, path) VALUES (?, ?, ?, ?)',
      );
      for (const artefact of artefacts) insertArtefact.run(record.measurementId, attempt, artefact.kind, artefact.path);
    });
    write();
  }

  /** The record of the highest attempt of a measurement, if any. */
  latest(measurementId: string): StoredAttempt | undefined {
    const row = this.db
      .prepare('SELECT measurement_id, attempt, record FROM attempts WHERE measurement_id = ? ORDER BY attempt DESC LIMIT 1')
      .get(measurementId) as AttemptRow | undefined;
    return row && toStored(row);
  }

  attempts(measurementId: string): StoredAttempt[] {
    const rows = this.db
      .prepare('SELECT measurement_id, attempt, record FROM attempts WHERE measurement_id = ? ORDER BY attempt')
      .all(measurementId) as AttemptRow[];
    return rows.map(toStored);
  }

  artefacts(measurementId: string, attempt: number): ArtefactRef[] {
    return this.db
      .prepare('SELECT kind, path FROM artefacts WHERE measurement_id = ? AND attempt = ? ORDER BY kind, path')
      .all(measurementId, attempt) as ArtefactRef[];
  }

  /** The latest attempt of every measurement of a campaign, in measurement id order. */
  *latestOfCampaign(campaign: string): Generator<StoredAttempt> {
    const rows = this.db
      .prepare(
        `SELECT a.measurement_id, a.attempt, a.record FROM attempts a
         WHERE a.campaign = ? AND a.attempt = (SELECT MAX(attempt) FROM attempts b WHERE b.measurement_id = a.measurement_id)
         ORDER BY a.measurement_id`,
      )
      .iterate(campaign) as IterableIterator<AttemptRow>;
    for (const row of rows) yield toStored(row);
  }

  campaigns(): { campaign: string; measurements: number; ok: number; failed: number }[] {
    return this.db
      .prepare(
        `SELECT campaign, COUNT(*) AS measurements, SUM(status = 'ok') AS ok, SUM(status = 'failed') AS failed
         FROM attempts a WHERE attempt = (SELECT MAX(attempt) FROM attempts b WHERE b.measurement_id = a.measurement_id)
         GROUP BY campaign ORDER BY campaign`,
      )
      .all() as { campaign: string; measurements: number; ok: number; failed: number }[];
  }

  /** The connection, for the store's other tables (store/drift.ts). */
  get sql(): Database.Database {
    return this.db;
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Stores one record per workflow run of a measurement. The store numbers rows per measurement;
 * a retried persist of the same run (same runId) rewrites its row, a new run (a re-run of a
 * failed measurement) gets the next number, so "latest attempt" is the latest run. Returns
 * `<measurementId>#<attempt>`.
 */
export function storeRecord(store: ResultsStore, record: MeasurementRecord): string {
  const runId = record.workflow?.runId;
  const previous = store.attempts(record.measurementId);
  const same = previous.find((p) => runId && p.record.workflow?.runId === runId);
  const attempt = same ? same.attempt : previous.reduce((max, p) => Math.max(max, p.attempt), 0) + 1;
  store.putAttempt(attempt, record, record.artefacts ?? []);
  return `${record.measurementId}#${attempt}`;
}

interface AttemptRow {
  measurement_id: string;
  attempt: number;
  record: string;
}

function toStored(row: AttemptRow): StoredAttempt {
  return { measurementId: row.measurement_id, attempt: row.attempt, record: readableRecord(JSON.parse(row.record) as MeasurementRecord) };
}

function assertRecord(record: MeasurementRecord): void {
  if (record.schema !== MEASUREMENT_SCHEMA) {
    throw new Error(`results store: record ${record.measurementId}: schema must be ${MEASUREMENT_SCHEMA}, got ${JSON.stringify(record.schema)}`);
  }
  const expectedId = `${record.campaign}/${record.app}/${record.nodeA?.id}/${record.nodeB?.id}`;
  if (record.measurementId !== expectedId) {
    throw new Error(`results store: measurementId ${JSON.stringify(record.measurementId)} does not match campaign/app/nodeA/nodeB ${JSON.stringify(expectedId)}`);
  }
  if (record.status !== 'ok' && record.status !== 'failed') {
    throw new Error(`results store: record ${record.measurementId}: status must be "ok" or "failed", got ${JSON.stringify(record.status)}`);
  }
}
