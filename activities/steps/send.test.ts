/**
 * sendMessage's own checks (the whole step runs against virtual phones in test/phone and
 * test/e2e; what a look says about a message is tested in observed.test.ts).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { checkClocks, currentTry, sendingCut } from './send';

const clock = { offsetMs: 12.5, uncertaintyMs: 1.2, precision: 'us', roundTripMs: 2.4, samples: 5, measuredAt: '2026-01-01T00:00:00.000Z' };

test('the clocks of the activity input are checked at the boundary', () => {
  expect(checkClocks(undefined)).toBeUndefined();
  expect(checkClocks({ A: clock, B: clock })).toEqual({ A: clock, B: clock });
  for (const bad of [{ C: clock }, { A: { ...clock, offsetMs: 'x' } }, { A: { ...clock, precision: 'ms' } }, { A: null }, 'A']) {
    let err: unknown;
    try {
      checkClocks(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('config_invalid');
  }
});

test('outside an activity a send is a first try', () => {
  expect(currentTry().attempt).toBe(1);
});

test('the send steps are cut after the step that sends: the last tap or key event', () => {
  expect(sendingCut([{ action: 'tap', element: 'entry' }, { action: 'input-text', text: 'x' }, { action: 'tap', element: 'send' }, { action: 'wait', seconds: 1 }, { action: 'screenshot', name: 's' }])).toBe(3);
  expect(sendingCut([{ action: 'input-text', text: 'x' }, { action: 'keyevent', key: 66 }])).toBe(2);
  expect(sendingCut([{ action: 'input-text', text: 'x' }])).toBe(1);
});
