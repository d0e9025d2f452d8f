/**
 * The DESIGN 4.1 example record: the contract fields only, as the first exports wrote them (no
 * optional field at all), for tests that need an old export or a minimal valid record.
 */
import { MEASUREMENT_SCHEMA, type MeasurementRecord } from '../../lib/types';

export function contractRecord(overrides: Partial<MeasurementRecord> = {}): MeasurementRecord {
  return {
    schema: MEASUREMENT_SCHEMA,
    campaign: 'paper-2015',
    measurementId: 'paper-2015/threema/pl-waw/es-mad',
    app: 'threema',
    status: 'ok',
    failure: null,
    startedAt: '2015-10-01T12:00:00Z',
    finishedAt: '2015-10-01T12:07:10Z',
    nodeA: { id: 'pl-waw', country: 'PL' },
    nodeB: { id: 'es-mad', country: 'ES' },
    networkPath: { traces: [{ from: 'A', target: '203.0.113.7', protocol: 'tcp', port: 443, hops: [{ ttl: 1, ip: '192.0.2.1', rttMs: [12.1, 11.9], country: 'DE' }, { ttl: 2, ip: null, rttMs: [], country: null }] }] },
    applicationPath: { traces: [] },
    ...overrides,
  };
}
