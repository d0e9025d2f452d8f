import Database from 'better-sqlite3';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exportCampaign } from './export';
import { ResultsStore } from './results-store';
import type { MeasurementRecord } from '../lib/types';
import { contractRecord } from '../test/support/records';

function record(overrides: Partial<MeasurementRecord> = {}): MeasurementRecord {
  return contractRecord({ campaign: 'c1', measurementId: 'c1/threema/pl-waw/es-mad', networkPath: { traces: [] }, ...overrides });
}

describe('ResultsStore', () => {
  let dir: string;
  let store: ResultsStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-store-'));
    store = new ResultsStore({ file: path.join(dir, 'db', 'results.sqlite') });
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('writing the same attempt twice keeps one row with the last content', () => {
    store.putAttempt(1, record({ status: 'failed', failure: 'capture_failed', failedOperation: 'stopCapture', detail: 'tcpdump killed' }));
    store.putAttempt(1, record({ status: 'failed', failure: 'capture_failed', failedOperation: 'stopCapture', detail: 'tcpdump killed' }));
    expect(store.attempts('c1/threema/pl-waw/es-mad')).toHaveLength(1);
    store.putAttempt(1, record({ status: 'failed', failure: 'timeout', failedOperation: 'traceroutes', detail: 'HEARTBEAT timeout' }));
    expect(store.attempts('c1/threema/pl-waw/es-mad').map((a) => [a.record.failure, a.record.failedOperation, a.record.detail])).toEqual([['timeout', 'traceroutes', 'HEARTBEAT timeout']]);
  });

  test('a row written before the failure catalogue reads with the failure split into its fields', () => {
    store.putAttempt(1, record({ status: 'failed', failure: 'app_not_installed: configurePhones: whatsapp is not installed on phone tb2-pa' }));
    expect(store.attempts('c1/threema/pl-waw/es-mad')[0].record).toMatchObject({ failure: 'app_not_installed', failedOperation: 'configurePhones', detail: 'whatsapp is not installed on phone tb2-pa' });
  });

  test('every attempt is kept and the latest is the highest attempt', () => {
    store.putAttempt(1, record({ status: 'failed', failure: 'adb_unreachable', failedOperation: 'sendMessage#0', detail: 'device offline' }), [{ kind: 'screenshot', path: 'a1.png' }]);
    store.putAttempt(2, record({ finishedAt: '2015-10-01T12:20:00Z' }), [{ kind: 'capture', path: 'a2.pcap' }]);
    expect(store.attempts('c1/threema/pl-waw/es-mad').map((a) => a.attempt)).toEqual([1, 2]);
    expect(store.latest('c1/threema/pl-waw/es-mad')?.record.status).toBe('ok');
    expect(store.artefacts('c1/threema/pl-waw/es-mad', 1)).toEqual([{ kind: 'screenshot', path: 'a1.png' }]);
    expect(store.campaigns()).toEqual([{ campaign: 'c1', measurements: 1, ok: 1, failed: 0 }]);
  });

  test('a record whose id does not match its campaign, app and nodes is refused with both values', () => {
    expect(() => store.putAttempt(1, record({ measurementId: 'c1/threema/pl-waw/xx' }))).toThrow(
      'measurementId "c1/threema/pl-waw/xx" does not match campaign/app/nodeA/nodeB "c1/threema/pl-waw/es-mad"',
    );
    expect(() => store.putAttempt(0, record())).toThrow('attempt must be an integer >= 1, got 0');
  });

  test('export writes the latest attempt of each measurement of one campaign as JSON lines', () => {
    store.putAttempt(1, record({ status: 'failed', failure: 'x' }));
    store.putAttempt(2, record());
    store.putAttempt(1, record({ app: 'wechat', measurementId: 'c1/wechat/pl-waw/es-mad' }));
    store.putAttempt(1, record({ campaign: 'c2', measurementId: 'c2/threema/pl-waw/es-mad' }));
    const out = path.join(dir, 'out', 'c1.jsonl');
    expect(exportCampaign(store, 'c1', out)).toEqual({ file: out, records: 2 });
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MeasurementRecord);
    expect(lines.map((r) => [r.measurementId, r.status])).toEqual([
      ['c1/threema/pl-waw/es-mad', 'ok'],
      ['c1/wechat/pl-waw/es-mad', 'ok'],
    ]);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['c1.jsonl']);
  });

  test('a second connection sees committed writes (the report reads while the worker writes)', () => {
    store.putAttempt(1, record());
    const reader = new ResultsStore({ file: path.join(dir, 'db', 'results.sqlite'), readonly: true });
    try {
      expect([...reader.latestOfCampaign('c1')]).toHaveLength(1);
    } finally {
      reader.close();
    }
  });

  test('keeps what shipping found per artefact; a retried persist of the attempt updates it', () => {
    const failed = { kind: 'capture', path: 'a.pcap', bytes: 10, sha256: 'a'.repeat(64), testbed: 'tb1', present: false, failure: 'artefact_transfer_failed', detail: 'lost' };
    store.putAttempt(1, record(), [failed]);
    store.putAttempt(1, record(), [{ ...failed, present: true, failure: null, detail: null }]);
    expect(store.artefacts('c1/threema/pl-waw/es-mad', 1)).toEqual([{ ...failed, present: true, failure: null, detail: null }]);
  });

  test('migrates a store written before shipping (idempotently): its artefact rows read as kind and path', () => {
    const file = path.join(dir, 'old.sqlite');
    const old = new Database(file);
    old.exec('CREATE TABLE artefacts (measurement_id TEXT NOT NULL, attempt INTEGER NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (measurement_id, attempt, kind, path))');
    old.prepare('INSERT INTO artefacts VALUES (?, ?, ?, ?)').run('c1/threema/pl-waw/es-mad', 1, 'capture', 'old.pcap');
    old.close();
    const readonly = new ResultsStore({ file, readonly: true }); // not migrated: still readable
    expect(readonly.artefacts('c1/threema/pl-waw/es-mad', 1)).toEqual([{ kind: 'capture', path: 'old.pcap' }]);
    readonly.close();
    for (let i = 0; i < 2; i++) new ResultsStore({ file }).close();
    const migrated = new ResultsStore({ file });
    try {
      expect(migrated.artefacts('c1/threema/pl-waw/es-mad', 1)).toEqual([{ kind: 'capture', path: 'old.pcap' }]);
      expect((migrated.sql.prepare('PRAGMA table_info(artefacts)').all() as Array<{ name: string }>).map((c) => c.name)).toEqual(['measurement_id', 'attempt', 'kind', 'path', 'bytes', 'sha256', 'testbed', 'present', 'failure', 'detail']);
    } finally {
      migrated.close();
    }
  });
});
