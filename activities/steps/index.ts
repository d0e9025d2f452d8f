/**
 * The real measurement steps over drivers/ and lib/ (issue 5.1), as the `steps` of
 * createActivities. One module per step group:
 *   testbed-endpoints  testbed id -> routers, phones, nodes, tunnel specs (from the env's lab)
 *   tunnels            provisionTunnels (+ tunnel teardown)
 *   phones, baseline   configurePhones (+ the cached no-app baseline per node)
 *   capture            startCapture (tcpdump both routers, then the apps open the chat),
 *                      stopCapture, fetchCapture
 *   send               sendMessage (UI steps on the sender, receive time from the receiver)
 *   classify           classifyFlows (central)
 *   traceroutes        application + network paths from both nodes
 *   geolocate          hop countries with provenance (central)
 *   teardown           abortCapture, teardown
 */
import type { MeasurementActivities } from '../../lib/measurement/steps';
import { classifyFlowsStep } from './classify';
import type { StepEnv } from './context';
import { fetchCapture, startCapture, stopCapture } from './capture';
import { geolocate } from './geolocate';
import { configurePhones } from './phones';
import { sendMessage } from './send';
import { abortCapture, teardown } from './teardown';
import { traceroutes } from './traceroutes';
import { provisionTunnels } from './tunnels';

export type { StepEnv } from './context';
export { resolveTestbed } from './testbed-endpoints';
export type { Lab, TestbedEndpoints, SideEndpoints } from '../lab';

export function measurementSteps(env: StepEnv): MeasurementActivities {
  return {
    provisionTunnels: ({ ctx }) => provisionTunnels(env, ctx),
    configurePhones: ({ ctx }) => configurePhones(env, ctx),
    startCapture: ({ ctx }) => startCapture(env, ctx),
    sendMessage: ({ ctx, message }) => sendMessage(env, ctx, message),
    stopCapture: ({ ctx, capture }) => stopCapture(env, ctx, capture),
    fetchCapture: ({ ctx, capture }) => fetchCapture(env, ctx, capture),
    classifyFlows: ({ ctx, capture, messages }) => classifyFlowsStep(env, ctx, capture, messages),
    traceroutes: ({ ctx, endpoints }) => traceroutes(env, ctx, endpoints),
    geolocate: ({ ctx, paths }) => geolocate(env, ctx, paths),
    abortCapture: ({ ctx }) => abortCapture(env, ctx),
    teardown: async ({ ctx }) => {
      await teardown(env, ctx);
    },
  };
}
