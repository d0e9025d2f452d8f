import { previousScheduledRun, scheduledRunOrder } from './runs';

it('orders scheduled run names by date, then by ordinal', () => {
  expect(scheduledRunOrder('weekly', 'weekly-2026-12-04')).toEqual(['2026-12-04', 1]);
  expect(scheduledRunOrder('weekly', 'weekly-2026-12-04-3')).toEqual(['2026-12-04', 3]);
  expect(scheduledRunOrder('weekly', 'weekly-eu-2026-12-04')).toBeNull();
  expect(scheduledRunOrder('weekly', 'weekly')).toBeNull();
  // a campaign id with regular-expression characters is taken literally
  expect(scheduledRunOrder('a.b', 'axb-2026-12-04')).toBeNull();
});

it('the previous run is the latest scheduled run of the same campaign before this one', () => {
  const names = ['weekly', 'weekly-eu-2026-12-01', 'weekly-2026-11-20', 'weekly-2026-11-27', 'weekly-2026-11-27-2', 'weekly-2026-12-04', 'weekly-2026-12-11'];
  expect(previousScheduledRun('weekly', 'weekly-2026-12-04', names)).toBe('weekly-2026-11-27-2');
  expect(previousScheduledRun('weekly', 'weekly-2026-11-27-2', names)).toBe('weekly-2026-11-27');
  expect(previousScheduledRun('weekly', 'weekly-2026-11-20', names)).toBeNull();
  expect(previousScheduledRun('weekly', 'weekly', names)).toBeNull();
});
