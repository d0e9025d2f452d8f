/**
 * Drift alerts in the results store (tables in store/drift-ddl.ts): one row per alert and run
 * pair (writing the same pair again adds nothing: the drift step is idempotent), one row per
 * comparison made (also those that found nothing), one webhook delivery state per run pair.
 */
import type { DriftAlert } from '../lib/drift/alerts';
import { alertKey } from '../lib/drift/alerts';
import { readableRecord } from '../lib/record/read';
import type { MeasurementRecord } from '../lib/types';
import type { ResultsStore } from './results-store';

export interface RunPair {
  configCampaign: string;
  runA: string;
  runB: string;
}

export interface StoredAlert extends RunPair {
  createdAt: string;
  alert: DriftAlert;
}

export interface WebhookState extends RunPair {
  url: string;
  status: 'delivered' | 'failed';
  tries: number;
  lastError: string | null;
  updatedAt: string;
}

/** Whether the store has the drift tables (a read-only store of an older version has not). */
function hasDriftTables(store: ResultsStore): boolean {
  return store.sql.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'drift_alerts'").get() !== undefined;
}

/** Stores the alerts of a run pair; returns how many were new (0 when the pair was stored already). */
export function putDriftAlerts(store: ResultsStore, pair: RunPair, alerts: readonly DriftAlert[], now: string): number {
  const db = store.sql;
  let added = 0;
  db.transaction(() => {
    db.prepare('INSERT OR IGNORE INTO drift_checks (config_campaign, run_a, run_b, checked_at, alerts) VALUES (?, ?, ?, ?, ?)').run(
      pair.configCampaign, pair.runA, pair.runB, now, alerts.length,
    );
    const insert = db.prepare(
      'INSERT OR IGNORE INTO drift_alerts (config_campaign, run_a, run_b, alert_key, seq, kind, alert, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    alerts.forEach((alert, seq) => {
      added += insert.run(pair.configCampaign, pair.runA, pair.runB, alertKey(alert), seq, alert.kind, JSON.stringify(alert), now).changes;
    });
  })();
  return added;
}

interface AlertRow {
  config_campaign: string;
  run_a: string;
  run_b: string;
  alert: string;
  created_at: string;
}

/** Alerts, newest comparison first, in derivation order within one; of one config campaign when given. */
export function driftAlerts(store: ResultsStore, filter: { configCampaign?: string; runA?: string; runB?: string } = {}): StoredAlert[] {
  if (!hasDriftTables(store)) return [];
  const rows = store.sql
    .prepare(
      `SELECT config_campaign, run_a, run_b, alert, created_at FROM drift_alerts
       WHERE (@c IS NULL OR config_campaign = @c) AND (@a IS NULL OR run_a = @a) AND (@b IS NULL OR run_b = @b)
       ORDER BY created_at DESC, run_b DESC, seq`,
    )
    .all({ c: filter.configCampaign ?? null, a: filter.runA ?? null, b: filter.runB ?? null }) as AlertRow[];
  return rows.map((r) => ({ configCampaign: r.config_campaign, runA: r.run_a, runB: r.run_b, createdAt: r.created_at, alert: JSON.parse(r.alert) as DriftAlert }));
}

/** Comparisons made (with how many alerts each), newest first. */
export function driftChecks(store: ResultsStore, configCampaign?: string): (RunPair & { checkedAt: string; alerts: number })[] {
  if (!hasDriftTables(store)) return [];
  const rows = store.sql
    .prepare('SELECT config_campaign, run_a, run_b, checked_at, alerts FROM drift_checks WHERE (@c IS NULL OR config_campaign = @c) ORDER BY checked_at DESC, run_b DESC')
    .all({ c: configCampaign ?? null }) as { config_campaign: string; run_a: string; run_b: string; checked_at: string; alerts: number }[];
  return rows.map((r) => ({ configCampaign: r.config_campaign, runA: r.run_a, runB: r.run_b, checkedAt: r.checked_at, alerts: r.alerts }));
}

/** Records one webhook try of a run pair (the URL already redacted). */
export function recordWebhookTry(store: ResultsStore, pair: RunPair, url: string, outcome: { ok: true } | { ok: false; error: string }, now: string): void {
  store.sql
    .prepare(
      `INSERT INTO drift_webhooks (config_campaign, run_a, run_b, url, status, tries, last_error, updated_at) VALUES (@c, @a, @b, @url, @status, 1, @error, @now)
       ON CONFLICT (run_a, run_b) DO UPDATE SET url = excluded.url, status = excluded.status, tries = tries + 1,
         last_error = COALESCE(excluded.last_error, last_error), updated_at = excluded.updated_at`,
    )
    .run({ c: pair.configCampaign, a: pair.runA, b: pair.runB, url, status: outcome.ok ? 'delivered' : 'failed', error: outcome.ok ? null : outcome.error, now });
}

export function webhookStates(store: ResultsStore, filter: { configCampaign?: string; runA?: string; runB?: string } = {}): WebhookState[] {
  if (!hasDriftTables(store)) return [];
  const rows = store.sql
    .prepare(
      `SELECT * FROM drift_webhooks WHERE (@c IS NULL OR config_campaign = @c) AND (@a IS NULL OR run_a = @a) AND (@b IS NULL OR run_b = @b)
       ORDER BY updated_at DESC`,
    )
    .all({ c: filter.configCampaign ?? null, a: filter.runA ?? null, b: filter.runB ?? null }) as {
    config_campaign: string; run_a: string; run_b: string; url: string; status: 'delivered' | 'failed'; tries: number; last_error: string | null; updated_at: string;
  }[];
  return rows.map((r) => ({ configCampaign: r.config_campaign, runA: r.run_a, runB: r.run_b, url: r.url, status: r.status, tries: r.tries, lastError: r.last_error, updatedAt: r.updated_at }));
}

/** An unscheduled re-run's previous run: per measurement of the campaign the latest attempt
 *  that finished before `before` (ISO time). */
export function campaignBefore(store: ResultsStore, campaign: string, before: string): MeasurementRecord[] {
  const cutoff = Date.parse(before);
  const rows = store.sql
    .prepare('SELECT measurement_id, finished_at, record FROM attempts WHERE campaign = ? ORDER BY measurement_id, attempt')
    .all(campaign) as { measurement_id: string; finished_at: string; record: string }[];
  const latest = new Map<string, string>();
  for (const row of rows) if (Date.parse(row.finished_at) < cutoff) latest.set(row.measurement_id, row.record);
  return [...latest.values()].map((text) => readableRecord(JSON.parse(text) as MeasurementRecord));
}
