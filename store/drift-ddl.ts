/**
 * Tables of the drift alerts (store/drift.ts). CREATE ... IF NOT EXISTS: a store written before
 * them gets them the next time it is opened for writing, its records untouched.
 */
export const DRIFT_DDL = `
CREATE TABLE IF NOT EXISTS drift_checks (
  config_campaign TEXT NOT NULL,
  run_a           TEXT NOT NULL,
  run_b           TEXT NOT NULL,
  checked_at      TEXT NOT NULL,
  alerts          INTEGER NOT NULL,
  PRIMARY KEY (run_a, run_b)
);
CREATE TABLE IF NOT EXISTS drift_alerts (
  config_campaign TEXT NOT NULL,
  run_a           TEXT NOT NULL,
  run_b           TEXT NOT NULL,
  alert_key       TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  kind            TEXT NOT NULL,
  alert           TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  PRIMARY KEY (run_a, run_b, alert_key)
);
CREATE INDEX IF NOT EXISTS drift_alerts_by_campaign ON drift_alerts (config_campaign, created_at);
CREATE TABLE IF NOT EXISTS drift_webhooks (
  config_campaign TEXT NOT NULL,
  run_a           TEXT NOT NULL,
  run_b           TEXT NOT NULL,
  url             TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('delivered', 'failed')),
  tries           INTEGER NOT NULL,
  last_error      TEXT,
  updated_at      TEXT NOT NULL,
  PRIMARY KEY (run_a, run_b)
);
`;
