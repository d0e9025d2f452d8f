import { devServerArgs, DEV_SERVER_TIMER_SHIFT, TIMER_SHIFT_KEY } from '../../ops/dev-server';
import { CliError } from '../errors';
import { timerShiftConfig } from './server';

describe('matador server --timer-shift', () => {
  it('passes the timer shift to the dev server as dynamic config (JSON value, one argv element)', () => {
    const args = devServerArgs({ binary: 'temporal', port: 7233, uiPort: 8233, output: 'inherit', dynamicConfig: timerShiftConfig(DEV_SERVER_TIMER_SHIFT) });
    const i = args.indexOf('--dynamic-config-value');
    expect(args[i + 1]).toBe(`${TIMER_SHIFT_KEY}="100ms"`);
  });

  it('"default" leaves Temporal its own value; anything but a duration is refused', () => {
    expect(timerShiftConfig('default')).toEqual({});
    expect(timerShiftConfig('0.5s')).toEqual({ [TIMER_SHIFT_KEY]: '0.5s' });
    expect(() => timerShiftConfig('100ms"; rm -rf /')).toThrow(CliError);
    expect(() => timerShiftConfig('fast')).toThrow('--timer-shift: expected a duration such as 100ms or 0.5s, or "default", got "fast"');
  });
});
