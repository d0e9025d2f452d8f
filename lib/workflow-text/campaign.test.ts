import type { MeasurementOutcome, TestbedProgress } from '../measurement/payloads';
import { campaignDetails, campaignStartDetails, campaignStartSummary, type CampaignDetailsInput } from './campaign';

const tb = (id: string, total: number, ok: number, failed: number, running: string | null = null): TestbedProgress => ({ id, total, next: ok + failed, ok, failed, running });
const failure: MeasurementOutcome = {
  measurementId: 'demo/threema/pl-waw/es-mad',
  status: 'failed',
  failure: 'message_not_received',
  failedOperation: 'sendMessage#2',
  detail: 'no \x1b[31mreceipt\x1b[0m after `15 s`',
};
const base: CampaignDetailsInput = { campaign: 'demo', config: 'configs/campaigns/demo.yaml', state: 'running', total: 40, ok: 0, failed: 0, testbeds: [], failures: [], runs: 1 };

describe('campaign workflow summary at start', () => {
  it('names the campaign and the size of its plan', () => {
    expect(campaignStartSummary({ campaign: 'demo', measurements: 40, testbeds: 2 })).toBe('campaign demo: 40 measurements on 2 testbeds');
    expect(campaignStartSummary({ campaign: 'demo', measurements: 1, testbeds: 1, resume: true, scheduled: true })).toBe(
      'scheduled campaign demo: 1 measurement on 1 testbed (resume: those already ok are skipped)',
    );
  });

  it('details: config, apps, testbeds and, for a schedule, how often', () => {
    expect(campaignStartDetails({ config: 'configs/campaigns/demo.yaml', apps: ['threema', 'wechat'], testbeds: ['tb1', 'tb2'], every: '1d' })).toBe(
      [
        'config `configs/campaigns/demo.yaml`',
        '',
        '- apps: threema, wechat',
        '- testbeds: tb1, tb2',
        '- runs every 1d; each run is a campaign of its own, named after its date (ID-YYYY-MM-DD)',
      ].join('\n'),
    );
  });
});

describe('campaign workflow current details', () => {
  it('before the plan is loaded: the config', () => {
    expect(campaignDetails({ ...base, campaign: '', state: 'planning', total: 0 })).toBe('campaign `configs/campaigns/demo.yaml`: loading its plan');
  });

  it('while it runs: done / failed / remaining, the latest failure (escaped, inert), per testbed with the running measurement', () => {
    const text = campaignDetails({ ...base, ok: 11, failed: 1, testbeds: [tb('tb1', 20, 5, 1, 'demo/wechat/pl-waw/sg-sin'), tb('tb2', 20, 6, 0)], failures: [failure] });
    expect(text).toBe(
      [
        'campaign demo: 12 of 40 finished, 11 ok, 1 failed, 28 remaining',
        '',
        "- latest failure: `demo/threema/pl-waw/es-mad`: `message_not_received: sendMessage#2: no \\x1b[31mreceipt\\x1b[0m after '15 s'`",
        '- testbed tb1: 6 of 20 (1 failed), running `demo/wechat/pl-waw/sg-sin`',
        '- testbed tb2: 6 of 20 (0 failed)',
      ].join('\n'),
    );
  });

  it('paused says so', () => {
    expect(campaignDetails({ ...base, state: 'paused', ok: 3, testbeds: [tb('tb1', 40, 3, 0)] }).split('\n')[0]).toBe('campaign demo (paused): 3 of 40 finished, 3 ok, 0 failed, 37 remaining');
  });

  it('at the end: the outcome, skipped and workflow runs; extra lines (drift alerts) right after the headline', () => {
    const text = campaignDetails({
      ...base,
      state: 'done',
      ok: 38,
      failed: 2,
      skipped: 3,
      runs: 3,
      testbeds: [tb('tb1', 20, 18, 2), tb('tb2', 20, 20, 0)],
      failures: [failure],
      extra: ['drift: threema endpoint moved DE→CH'],
    });
    expect(text).toBe(
      [
        'campaign demo done: 40 measurements, 38 ok, 2 failed; 3 skipped (already ok) (3 workflow runs)',
        '',
        '- drift: threema endpoint moved DE→CH',
        "- last failure: `demo/threema/pl-waw/es-mad`: `message_not_received: sendMessage#2: no \\x1b[31mreceipt\\x1b[0m after '15 s'` (1 more: see matador campaign status)",
        '- testbed tb1: 20 of 20 (2 failed)',
        '- testbed tb2: 20 of 20 (0 failed)',
      ].join('\n'),
    );
  });

  it('stays bounded for a campaign on many testbeds, cutting testbed lines only', () => {
    const text = campaignDetails({ ...base, testbeds: Array.from({ length: 200 }, (_, i) => tb(`testbed-${i}`, 10, 1, 0)), extra: ['drift: one alert'] });
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text.split('\n')[2]).toBe('- drift: one alert');
    expect(text.endsWith('\n- …')).toBe(true);
  });
});
