/** The profile benches' own Temporal dev server: in memory, free ports, headless, log in `dir`; `timerShift` sets history.timerProcessorMaxTimeShift ('default': Temporal's own). */
import * as path from 'path';
import { freePort, startDevServer, TIMER_SHIFT_KEY, type DevServer } from '../../ops/dev-server';
import { temporalBinary } from '../../lib/project-paths';

export { TIMER_SHIFT_KEY };

export async function startBenchServer(dir: string, timerShift: string): Promise<DevServer> {
  return startDevServer({
    binary: temporalBinary,
    port: await freePort(),
    uiPort: await freePort(),
    headless: true,
    output: { logFile: path.join(dir, 'temporal.log') },
    logLevel: 'error',
    ...(timerShift && timerShift !== 'default' ? { dynamicConfig: { [TIMER_SHIFT_KEY]: timerShift } } : {}),
  });
}
