/**
 * The real measurement steps over drivers/ and lib/ (issue 5.1), as the `steps` of
 * createActivities. One module per step group:
 *   testbed-endpoints  testbed id -> routers, phones, nodes, tunnel specs (from the env's lab)
 *   tunnels            provisionTunnels (+ tunnel teardown)
 *   phones, baseline   configurePhones (+ the cached no-app baseline per node)
 *   capture            startCapture (tcpdump both routers, then the apps open the chat),
 *                      stopCapture, fetchCapture
 *   send               sendMessage (UI steps on the sender, receive time from the receiver)
 *   classify           classifyFlows (on the testbed: it reads the captures and baselines)
 *   traceroutes        application + network paths from both nodes
 *   geolocate          hop countries with provenance (central)
 *   teardown           abortCapture, teardown
 * and the preflight of `matador testbed check` (activities/check).
 */
import type { MeasurementActivities } from '../../lib/measurement/steps';
import { checkTestbed } from '../check';
import { classifyFlowsStep } from './classify';
import { checkContext, type StepEnv } from './context';
import { fetchCapture, startCapture, stopCapture } from './capture';
import { geolocate } from './geolocate';
import { configurePhones } from './phones';
import { checkClocks, sendMessage } from './send';
import { abortCapture, teardown } from './teardown';
import { traceroutes } from './traceroutes';
import { provisionTunnels } from './tunnels';

export type { StepEnv } from './context';
export { resolveTestbed } from './testbed-endpoints';
export type { Lab, TestbedEndpoints, SideEndpoints } from '../lab';

/** Every step's context is checked at the activity boundary before anything uses it (ids become path parts). */
export function measurementSteps(env: StepEnv): MeasurementActivities {
  return {
    provisionTunnels: async ({ ctx }) => provisionTunnels(env, checkContext(ctx)),
    configurePhones: async ({ ctx }) => configurePhones(env, checkContext(ctx)),
    startCapture: async ({ ctx }) => startCapture(env, checkContext(ctx)),
    sendMessage: async ({ ctx, message, clocks }) => sendMessage(env, checkContext(ctx), message, checkClocks(clocks)),
    stopCapture: async ({ ctx, capture }) => stopCapture(env, checkContext(ctx), capture),
    fetchCapture: async ({ ctx, capture }) => fetchCapture(env, checkContext(ctx), capture),
    classifyFlows: async ({ ctx, capture, messages }) => classifyFlowsStep(env, checkContext(ctx), capture, messages),
    traceroutes: async ({ ctx, endpoints, traceroutes: options }) => traceroutes(env, checkContext(ctx), endpoints, options),
    geolocate: async ({ ctx, paths }) => geolocate(env, checkContext(ctx), paths),
    abortCapture: async ({ ctx }) => abortCapture(env, checkContext(ctx)),
    teardown: async ({ ctx }) => {
      await teardown(env, checkContext(ctx));
    },
    checkTestbed: async (req) => checkTestbed(env, req),
  };
}
