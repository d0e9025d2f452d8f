/**
 * Testbed id -> everything the drivers need to reach it (activities/lab.ts): the campaign's
 * testbeds config names the testbed, and the lab the worker put into the StepEnv resolves it
 * (an emulated world's state, or the testbeds and nodes files of real testbeds). A lab's
 * refusal becomes the step failure of the same name.
 */
import { LabError, type LabTestbed, type PlannedNode, type TestbedEndpoints } from '../lab';
import type { StepContext } from '../../lib/measurement/payloads';
import { campaignOf, type StepEnv } from './context';
import { stepFailure } from './failures';

export type { SideEndpoints, TestbedEndpoints } from '../lab';

/** A lab's refusal as the step failure of the same name. */
export function fromLab<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof LabError) throw stepFailure(err.failure, err.message);
    throw err;
  }
}

function labTestbed(env: StepEnv, ctx: StepContext): LabTestbed {
  const campaign = campaignOf(env, ctx);
  const testbed = campaign.testbeds.find((t) => t.id === ctx.testbed);
  if (!testbed) throw stepFailure('testbed_unknown', `${campaign.testbedsFile}: no testbed ${ctx.testbed} selected by ${campaign.file} (have ${campaign.testbeds.map((t) => t.id).join(', ')})`);
  return { campaign, testbed };
}

export function resolveTestbed(env: StepEnv, ctx: StepContext): TestbedEndpoints {
  const at = labTestbed(env, ctx);
  return fromLab(() => env.lab.resolve(at, ctx));
}

/** The vantage node (as planned) the testbed's lab reaches at this underlay address, or null. */
export function labNodeAt(env: StepEnv, ctx: StepContext, address: string): PlannedNode | null {
  const at = labTestbed(env, ctx);
  return fromLab(() => env.lab.nodeAt(at, address));
}
