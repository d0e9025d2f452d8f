import { CliError } from '../errors';
import { CENTRAL_WORKER_WAIT_S, parseWorkerWait } from './testbed-check';

describe('--worker-wait', () => {
  it('takes whole seconds from 1 to an hour', () => {
    expect(parseWorkerWait('2')).toBe(2);
    expect(parseWorkerWait('3600')).toBe(3600);
    expect(CENTRAL_WORKER_WAIT_S).toBe(30);
  });

  it.each(['0', '-1', '1.5', '3601', 'soon', '', '1e3'])('refuses %j in one line naming the value', (value) => {
    expect(() => parseWorkerWait(value)).toThrow(CliError);
    expect(() => parseWorkerWait(value)).toThrow(`--worker-wait: expected whole seconds between 1 and 3600, got ${JSON.stringify(value)}`);
  });
});
