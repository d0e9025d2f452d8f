import type { DriftOutcome } from '../measurement/payloads';
import { driftDetailsLines } from './details';

const outcome: DriftOutcome = {
  configCampaign: 'weekly', run: 'weekly-2026-12-04', previous: 'weekly-2026-11-27', alerts: 2, added: 2, webhook: true,
  lines: ['threema: service endpoints moved: CH -> DE', 'network path in Europe (region): Five Eyes gained access (1 node pair: es-mad/pl-waw)'],
};

it('lists the alerts and the webhook state', () => {
  expect(driftDetailsLines({ outcome, error: null, webhook: 'delivered', webhookError: null })).toEqual([
    '**Drift** since weekly-2026-11-27: 2 alerts',
    'threema: service endpoints moved: CH -> DE',
    'network path in Europe (region): Five Eyes gained access (1 node pair: es-mad/pl-waw)',
    'webhook: delivered',
  ]);
  expect(driftDetailsLines({ outcome: { ...outcome, added: 0 }, error: null, webhook: 'failed', webhookError: 'webhook http://127.0.0.1:9/...: POST answered HTTP 500' })).toEqual([
    '**Drift** since weekly-2026-11-27: 2 alerts (0 new)',
    'threema: service endpoints moved: CH -> DE',
    'network path in Europe (region): Five Eyes gained access (1 node pair: es-mad/pl-waw)',
    'webhook: failed, recorded in the results store (webhook http://127.0.0.1:9/...: POST answered HTTP 500)',
  ]);
});

it('says when there was nothing to compare, no change, or the step failed', () => {
  const first = { ...outcome, previous: null, alerts: 0, added: 0, lines: ['no earlier run of weekly to compare with'] };
  expect(driftDetailsLines({ outcome: first, error: null, webhook: 'none', webhookError: null })).toEqual(['**Drift**: no earlier run of weekly to compare with']);
  const same = { ...outcome, alerts: 0, added: 0, lines: ['no change since weekly-2026-11-27'] };
  expect(driftDetailsLines({ outcome: same, error: null, webhook: 'none', webhookError: null })).toEqual(['**Drift** since weekly-2026-11-27: 0 alerts', 'no change since weekly-2026-11-27']);
  expect(driftDetailsLines({ outcome: null, error: 'results store busy', webhook: 'none', webhookError: null })).toEqual(['**Drift**: not checked: results store busy']);
});
