import { devServerArgs, DEV_SERVER_READER_STUCK_ATTEMPTS, DEV_SERVER_TIMER_SHIFT, READER_STUCK_KEY, TIMER_SHIFT_KEY } from '../../ops/dev-server';
import { CliError } from '../errors';
import { timerShiftConfig } from './server';

describe('matador server --timer-shift', () => {
  it('passes the timer shift and the reader-stuck threshold to the dev server as dynamic config (JSON values, one argv element each)', () => {
    const args = devServerArgs({ binary: 'temporal', port: 7233, uiPort: 8233, output: 'inherit', dynamicConfig: timerShiftConfig(DEV_SERVER_TIMER_SHIFT) });
    const values = args.flatMap((a, i) => (a === '--dynamic-config-value' ? [args[i + 1]] : []));
    expect(values).toEqual([`${TIMER_SHIFT_KEY}="100ms"`, `${READER_STUCK_KEY}=${DEV_SERVER_READER_STUCK_ATTEMPTS}`]);
  });

  it('"default" leaves Temporal its own value; anything but a duration is refused', () => {
    expect(timerShiftConfig('default')).toEqual({});
    // a lowered shift also raises the reader-stuck threshold (ops/dev-server.ts READER_STUCK_KEY)
    expect(timerShiftConfig('0.5s')).toEqual({ [TIMER_SHIFT_KEY]: '0.5s', [READER_STUCK_KEY]: 100 });
    expect(() => timerShiftConfig('100ms"; rm -rf /')).toThrow(CliError);
    expect(() => timerShiftConfig('fast')).toThrow('--timer-shift: expected a duration such as 100ms or 0.5s, or "default", got "fast"');
  });
});

describe('matador server database', () => {
  it('keeps a database file with a write-ahead log synced at checkpoints; an in-memory server gets no pragma', () => {
    const file = devServerArgs({ binary: 'temporal', port: 7233, uiPort: 8233, output: 'inherit', dbFile: '/data/temporal.db' });
    expect(file.slice(file.indexOf('--db-filename'), file.indexOf('--db-filename') + 6)).toEqual([
      '--db-filename',
      '/data/temporal.db',
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    ]);
    expect(devServerArgs({ binary: 'temporal', port: 7233, uiPort: 8233, output: 'inherit' })).not.toContain('--sqlite-pragma');
  });
});
