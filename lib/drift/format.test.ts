import type { DriftAlert } from './alerts';
import { driftListJson, driftListText, type DriftListEntry } from './format';

const alert = (kind: DriftAlert['kind'], text: string): DriftAlert => ({ kind, path: 'threema', area: null, level: null, group: null, before: [], after: [], main: null, pairs: [], text });
const entry: DriftListEntry = {
  configCampaign: 'weekly', runA: 'weekly-2026-11-27', runB: 'weekly-2026-12-04', checkedAt: '2026-12-04T07:00:00.000Z', alerts: 2,
  list: [alert('service_moved', 'threema: service endpoints moved: CH -> DE'), alert('group_gained_access', 'thr\u001b[31meema in Europe (region): Five Eyes gained access (1 node pair: es-mad/pl-waw)')],
  webhook: { url: 'https://hooks.example.org/...', status: 'failed', tries: 3, lastError: 'webhook https://hooks.example.org/...: POST answered HTTP 503', updatedAt: '2026-12-04T07:00:07.000Z' },
};

it('lists each check with its alerts and webhook state; text from records is escaped', () => {
  expect(driftListText([entry, { ...entry, runA: 'weekly-2026-11-20', runB: 'weekly-2026-11-27', alerts: 0, list: [], webhook: null }], 'weekly')).toBe(
    [
      'weekly: weekly-2026-11-27 -> weekly-2026-12-04 (checked 2026-12-04T07:00:00.000Z): 2 alerts',
      '  service_moved        threema: service endpoints moved: CH -> DE',
      '  group_gained_access  thr\\x1b[31meema in Europe (region): Five Eyes gained access (1 node pair: es-mad/pl-waw)',
      '  webhook https://hooks.example.org/...: FAILED after 3 tries, last at 2026-12-04T07:00:07.000Z: webhook https://hooks.example.org/...: POST answered HTTP 503',
      'weekly: weekly-2026-11-20 -> weekly-2026-11-27 (checked 2026-12-04T07:00:00.000Z): no change',
      '',
    ].join('\n'),
  );
  expect(driftListText([], 'weekly')).toBe('no drift checks of weekly yet (a campaign run is compared with the previous one when it completes)\n');
});

it('JSON carries every alert in full', () => {
  const parsed = JSON.parse(driftListJson([entry]));
  expect(parsed.schema).toBe('matador.drift-list/v1');
  expect(parsed.checks[0]).toMatchObject({ configCampaign: 'weekly', alerts: entry.list, webhook: entry.webhook });
});
