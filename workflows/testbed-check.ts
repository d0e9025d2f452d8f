/**
 * testbedCheckWorkflow: `matador testbed check` on the testbeds' own workers (the phones hang on
 * their USB, the SSH keys are theirs). Per testbed (all at once): the checkTestbed step lists the
 * subjects, then checks them one by one; rows so far answer CHECK_PROGRESS_QUERY, so the CLI
 * prints them as subjects finish. A testbed whose step fails (no worker took it in time, the
 * campaign or the testbed cannot be read there) gets one ✘ row saying so, never a failed workflow.
 */
import { ActivityFailure, ApplicationFailure, defineQuery, proxyActivities, setHandler, TimeoutFailure } from '@temporalio/workflow';
import type { CheckProgress, CheckRow, TestbedCheckInput, TestbedCheckResult } from '../lib/check/rows';
import type { MatadorActivities } from '../lib/measurement/steps';
import { stepOptions } from '../temporal/activity-options';
import { CHECK_PROGRESS_QUERY, testbedTaskQueue } from '../temporal/conventions';

export const checkProgressQuery = defineQuery<CheckProgress>(CHECK_PROGRESS_QUERY);

/** A testbed with no worker polling its queue: say so after this long instead of waiting. */
export const CHECK_SCHEDULE_TO_START_SECONDS = 60;

function unchecked(testbed: string, err: unknown): CheckRow {
  const queue = testbedTaskQueue(testbed);
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure) {
    return {
      testbed, side: null, kind: 'testbed', target: queue, check: 'testbed worker', ok: false,
      detail: `no worker took the check from task queue ${queue} within ${CHECK_SCHEDULE_TO_START_SECONDS} s`,
      fix: `start "matador worker --role testbed --testbed ${testbed}" on the host the testbed's phones and SSH keys are on`,
    };
  }
  const type = cause instanceof ApplicationFailure ? cause.type : null;
  const message = cause instanceof Error ? cause.message : String(cause);
  return {
    testbed, side: null, kind: 'testbed', target: queue, check: 'testbed readable', ok: false,
    detail: `${type ?? 'error'}: ${message}`,
    fix: type === 'world_not_up' ? `bring the emulated world up ("matador testbed up")` : `correct the testbeds/nodes files the campaign names (as the testbed worker of ${testbed} reads them)`,
  };
}

export async function testbedCheckWorkflow(input: TestbedCheckInput): Promise<TestbedCheckResult[]> {
  const results: TestbedCheckResult[] = input.testbeds.map((testbed) => ({ testbed, rows: [] }));
  setHandler(checkProgressQuery, () => ({ testbeds: results }));
  await Promise.all(
    results.map(async (r) => {
      const { checkTestbed } = proxyActivities<MatadorActivities>({
        ...stepOptions('checkTestbed', { testbed: r.testbed }),
        scheduleToStartTimeout: `${CHECK_SCHEDULE_TO_START_SECONDS}s`,
      });
      try {
        const { subjects } = await checkTestbed({ config: input.config, testbed: r.testbed });
        for (const subject of subjects) r.rows.push(...(await checkTestbed({ config: input.config, testbed: r.testbed, subject })).rows);
      } catch (err) {
        r.rows.push(unchecked(r.testbed, err));
      }
    }),
  );
  return results;
}
