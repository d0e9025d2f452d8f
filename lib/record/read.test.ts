import { readableRecord } from './read';
import type { MeasurementRecord } from '../types';

const base = {
  schema: 'matador.measurement/v1' as const,
  campaign: 'c',
  measurementId: 'c/threema/a/b',
  app: 'threema',
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: '2026-01-01T00:01:00Z',
  nodeA: { id: 'a', country: 'DE' },
  nodeB: { id: 'b', country: 'PL' },
  networkPath: { traces: [] },
  applicationPath: { traces: [] },
};

describe('records written before the failure catalogue', () => {
  it('get the failure split into code, failed operation and detail, in attempts and steps too', () => {
    const old: MeasurementRecord = {
      ...base,
      status: 'failed',
      failure: 'app_not_installed: configurePhones: whatsapp is not installed on phone tb2-pa: see pm list',
      attempts: [{ attempt: 1, failure: 'app_not_installed: configurePhones: whatsapp is not installed on phone tb2-pa: see pm list', steps: [{ step: 'configurePhones', failure: 'app_not_installed: configurePhones: x' }, { step: 'teardown', failure: null }] }],
    };
    const r = readableRecord(old);
    expect(r).toMatchObject({ failure: 'app_not_installed', failedOperation: 'configurePhones', detail: 'whatsapp is not installed on phone tb2-pa: see pm list' });
    expect(r.attempts).toEqual([
      {
        attempt: 1,
        failure: 'app_not_installed',
        failedOperation: 'configurePhones',
        detail: 'whatsapp is not installed on phone tb2-pa: see pm list',
        steps: [
          { step: 'configurePhones', failure: 'app_not_installed', failedOperation: 'configurePhones', detail: 'x' },
          { step: 'teardown', failure: null },
        ],
      },
    ]);
    expect(old.failure).toBe('app_not_installed: configurePhones: whatsapp is not installed on phone tb2-pa: see pm list');
  });

  it('map the old invalid_config and keep unknown text whole as an activity_error', () => {
    expect(readableRecord({ ...base, status: 'failed', failure: 'invalid_config: loadCampaign: bad' })).toMatchObject({ failure: 'config_invalid', failedOperation: 'loadCampaign', detail: 'bad' });
    expect(readableRecord({ ...base, status: 'failed', failure: 'Error: something odd' })).toMatchObject({ failure: 'activity_error', failedOperation: null, detail: 'Error: something odd' });
  });

  it('leave new records as they are', () => {
    const now: MeasurementRecord = { ...base, status: 'failed', failure: 'tunnel_failed', failedOperation: 'provisionTunnels', detail: 'side B: down' };
    expect(readableRecord(now)).toEqual(now);
    const ok: MeasurementRecord = { ...base, status: 'ok', failure: null, failedOperation: null, detail: null };
    expect(readableRecord(ok)).toEqual(ok);
  });
});
