/** The profile benches' own Temporal dev server: its database a file in `dir` as `matador server` keeps it (FILE_DB_SQLITE_PRAGMAS), free ports, headless, log in `dir`; `timerShift` sets history.timerProcessorMaxTimeShift as `matador server --timer-shift` does ('default': Temporal's own). */
import * as path from 'path';
import { freePort, READER_STUCK_KEY, startDevServer, TIMER_SHIFT_KEY, timerDynamicConfig, type DevServer } from '../../ops/dev-server';
import { temporalBinary } from '../../lib/project-paths';

export { READER_STUCK_KEY, TIMER_SHIFT_KEY };

/** `readerStuck` overrides the reader-stuck threshold that goes with a lowered shift ('default': Temporal's 3). */
export async function startBenchServer(dir: string, timerShift: string, readerStuck?: string): Promise<DevServer> {
  const dynamicConfig = timerDynamicConfig(timerShift || 'default');
  if (readerStuck === 'default') delete dynamicConfig[READER_STUCK_KEY];
  else if (readerStuck !== undefined) dynamicConfig[READER_STUCK_KEY] = Number(readerStuck);
  return startDevServer({
    binary: temporalBinary,
    dbFile: path.join(dir, 'temporal.db'),
    port: await freePort(),
    uiPort: await freePort(),
    headless: true,
    output: { logFile: path.join(dir, 'temporal.log') },
    logLevel: 'error',
    dynamicConfig,
  });
}
