/** bench/profile/timers.ts: one workflow timer after the other, nothing else (the server's timer latency alone). */
import { sleep } from '@temporalio/workflow';

export async function timerProbeWorkflow(sleepsMs: number[]): Promise<void> {
  for (const ms of sleepsMs) await sleep(ms);
}
