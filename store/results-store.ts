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

/** What shipping found per artefact (added after the table existed: migrateArtefacts adds them). */
const ARTEFACT_COLUMNS = { bytes: 'INTEGER', sha256: 'TEXT', testbed: 'TEXT', present: 'INTEGER', failure: 'TEXT', detail: 'TEXT' } as const;

/** Idempotent: adds the artefact columns a store written before shipping lacks (SQLite has no ADD COLUMN IF NOT EXISTS). */
function migrateArtefacts(db: Database.Database): void {
  const have = new Set((db.prepare('PRAGMA table_info(artefacts)').all() as Array<{ name: string }>).map((c) => c.name));
  for (const [name, type] of Object.entries(ARTEFACT_COLUMNS)) if (!have.has(name)) db.exec(`ALTER TABLE artefacts ADD COLUMN ${name} ${type}`);
}

interface ArtefactRow {
  kind: string;
  path: string;
  bytes: number | null;
  sha256: string | null;
  testbed: string | null;
  present: number | null;
  failure: string | null;
  detail: string | null;
}

/** A row as the record's artefact: the shipping fields only where the row has them (older rows: kind and path). */
function artefactOf(r: ArtefactRow): ArtefactRef {
  if (r.present === null) return { kind: r.kind, path: r.path };
  return { kind: r.kind, path: r.path, bytes: r.bytes, sha256: r.sha256, ...(r.testbed !== null ? { testbed: r.testbed } : {}), present: r.present === 1, failure: r.failure, detail: r.detail };
}

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
      migrateArtefacts(this.db);
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
      // The same attempt written again (a retried persist) carries the same or newer shipping facts.
      const insertArtefact = this.db.prepare(
        `INSERT INTO artefacts (measurement_id, attempt, kind, path, bytes, sha256, testbed, present, failure, detail)
         VALUES (@id, @attempt, @kind, @path, @bytes, @sha256, @testbed, @present, @failure, @detail)
         ON CONFLICT (measurement_id, attempt, kind, path) DO UPDATE SET
           bytes = excluded.bytes, sha256 = excluded.sha256, testbed = excluded.testbed, present = excluded.present,
           failure = excluded.failure, detail = excluded.detail`,
      );
      for (const a of artefacts) {
        insertArtefact.run({
          id: record.measurementId,
          attempt,
          kind: a.kind,
          path: a.path,
          bytes: a.bytes ?? null,
          sha256: a.sha256 ?? null,
          testbed: a.testbed ?? null,
          present: a.present === undefined ? null : a.present ? 1 : 0,
          failure: a.failure ?? null,
          detail: a.detail ?? null,
        });
      }
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
      .prepare(`SELECT ${this.artefactColumns()} FROM artefacts WHERE measurement_id = ? AND attempt = ? ORDER BY kind, path`)
      .all(measurementId, attempt)
      .map((r) => artefactOf(r as ArtefactRow));
  }

  /** A store opened read-only is not migrated: an older one's rows read as kind and path. */
  private artefactColumns(): string {
    const have = new Set((this.db.prepare('PRAGMA table_info(artefacts)').all() as Array<{ name: string }>).map((c) => c.name));
    return ['kind', 'path', ...Object.keys(ARTEFACT_COLUMNS).map((c) => (have.has(c) ? c : `NULL AS ${c}`))].join(', ');
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
