import { TypedSearchAttributes } from '@temporalio/common';
import {
  assertScheduleId,
  datedCampaignId,
  formatEvery,
  parseEvery,
  SCHEDULED_START_TIME,
  scheduledCampaignInput,
  scheduledRunOf,
  scheduledRunWorkflowId,
  visibilityString,
} from './schedules';

describe('campaign schedule helpers', () => {
  it('parses and formats intervals', () => {
    expect(parseEvery('7d')).toBe(7 * 86_400_000);
    expect(parseEvery('2w')).toBe(14 * 86_400_000);
    expect(parseEvery(' 90m ')).toBe(5_400_000);
    expect(formatEvery(parseEvery('7d'))).toBe('7d');
    expect(formatEvery(parseEvery('2w'))).toBe('14d');
    expect(formatEvery(parseEvery('90m'))).toBe('90m');
    expect(formatEvery(parseEvery('36h'))).toBe('36h');
    expect(formatEvery(61_500)).toBe('61500ms');
  });

  it('names the option and value of a bad interval', () => {
    expect(() => parseEvery('7x')).toThrow('--every: expected a number and a unit s, m, h, d or w (e.g. 7d, 12h), got "7x"');
    expect(() => parseEvery('30s')).toThrow('--every: "30s" is shorter than the minimum of 1m');
  });

  it('accepts schedule ids that fit in URLs and workflow ids', () => {
    expect(assertScheduleId('demo.weekly_1')).toBe('demo.weekly_1');
    expect(() => assertScheduleId('demo weekly')).toThrow('schedule id "demo weekly": use letters, digits');
    expect(() => assertScheduleId('-x')).toThrow('schedule id "-x"');
  });

  it('names scheduled runs by date', () => {
    const at = new Date('2026-11-27T06:00:00.000Z');
    expect(scheduledRunWorkflowId('demo', at)).toBe('campaign/demo-2026-11-27T06:00:00Z');
    expect(datedCampaignId('demo', at)).toBe('demo-2026-11-27');
  });

  it('numbers further runs of one date from 2 and takes the date in UTC', () => {
    const at = new Date('2026-11-27T23:30:00.000Z');
    expect(datedCampaignId('demo', at, 1)).toBe('demo-2026-11-27');
    expect(datedCampaignId('demo', at, 2)).toBe('demo-2026-11-27-2');
    expect(datedCampaignId('demo', at, 12)).toBe('demo-2026-11-27-12');
    expect(datedCampaignId('demo', new Date('2026-11-28T00:30:00+02:00'))).toBe('demo-2026-11-27');
    expect(() => datedCampaignId('demo', at, 0)).toThrow('run ordinal must be a whole number >= 1, got 0');
    expect(() => datedCampaignId('demo', new Date('nope'))).toThrow('campaign demo: invalid scheduled time');
  });

  it("takes a scheduled run's time from TemporalScheduledStartTime, else from the start time", () => {
    const startTime = new Date('2026-11-28T00:00:05.000Z');
    const scheduled = new Date('2026-11-27T23:59:59.000Z');
    const workflowId = 'campaign/demo-2026-11-27T23:59:59Z';
    expect(scheduledRunOf({ workflowId, startTime, typedSearchAttributes: new TypedSearchAttributes([{ key: SCHEDULED_START_TIME, value: scheduled }]) })).toEqual({
      scheduledAt: '2026-11-27T23:59:59.000Z',
      workflowId,
    });
    expect(scheduledRunOf({ workflowId: 'campaign/demo', startTime, typedSearchAttributes: new TypedSearchAttributes() })).toEqual({
      scheduledAt: '2026-11-28T00:00:05.000Z',
      workflowId: 'campaign/demo',
    });
  });

  it('quotes visibility query strings', () => {
    expect(visibilityString('demo-2026-11-27')).toBe('"demo-2026-11-27"');
    expect(visibilityString('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('builds the campaign input of the schedule action', () => {
    const base = { scheduleId: 's', campaignId: 'demo', config: 'configs/campaigns/demo.yaml', everyMs: 86_400_000 };
    expect(scheduledCampaignInput(base)).toEqual({ config: 'configs/campaigns/demo.yaml', campaignIdSuffix: 'scheduled-date' });
    expect(scheduledCampaignInput({ ...base, timerScale: 0 })).toEqual({ config: 'configs/campaigns/demo.yaml', campaignIdSuffix: 'scheduled-date', options: { timerScale: 0 } });
  });
});
