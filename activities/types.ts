/**
 * The activity interface: one function per measurement step. Workflows import this as a type
 * only; `createActivities(deps)` builds the real object and tests build typed mocks of it.
 */
import type {
  CampaignPlanInfo,
  LoadCampaignRequest,
  CaptureFiles,
  CaptureHandle,
  Classification,
  MeasurementRecord,
  MeasurementSpec,
  MessageSent,
  MessageStep,
  Paths,
  PersistResult,
  PhonesInfo,
  PlanPageRequest,
  ServiceEndpoint,
  StepContext,
  TunnelsInfo,
} from '../lib/measurement/payloads';

/** Activities of the central worker (task queue `matador-central`). */
export interface CentralActivities {
  /** Loads + validates the campaign config and expands the plan; fails non-retryably with
   *  type `invalid_config` and the loader's message (file, key path, value). With `resume`,
   *  measurements whose latest stored record is ok are left out of the plan. */
  loadCampaign(input: LoadCampaignRequest): Promise<CampaignPlanInfo>;
  /** One page of a testbed's queue, in plan order. Refuses a config whose plan changed. */
  planPage(input: PlanPageRequest): Promise<MeasurementSpec[]>;
  classifyFlows(input: { ctx: StepContext; capture: CaptureFiles; messages: MessageSent[] }): Promise<Classification>;
  geolocate(input: { ctx: StepContext; paths: Paths }): Promise<Paths>;
  persistRecord(input: { record: MeasurementRecord }): Promise<PersistResult>;
}

/** Activities that run on a testbed's host (task queue `testbed-<id>`). */
export interface TestbedActivities {
  provisionTunnels(input: { ctx: StepContext }): Promise<TunnelsInfo>;
  configurePhones(input: { ctx: StepContext; tunnels: TunnelsInfo }): Promise<PhonesInfo>;
  startCapture(input: { ctx: StepContext }): Promise<CaptureHandle>;
  sendMessage(input: { ctx: StepContext; message: MessageStep }): Promise<MessageSent>;
  stopCapture(input: { ctx: StepContext; capture: CaptureHandle }): Promise<void>;
  fetchCapture(input: { ctx: StepContext; capture: CaptureHandle }): Promise<CaptureFiles>;
  traceroutes(input: { ctx: StepContext; endpoints: ServiceEndpoint[] }): Promise<Paths>;
  /** Saga compensation: stop a capture that may or may not be running, drop its files. */
  abortCapture(input: { ctx: StepContext }): Promise<void>;
  /** Always runs at the end of an attempt: tear down tunnels, reset phones. Idempotent. */
  /** Releases everything; with `ctx.keepTunnels` (only after a successful attempt whose next
   *  measurement on the lane is the same node pair) the two tunnels stay up for it. */
  teardown(input: { ctx: StepContext }): Promise<void>;
}

export type MatadorActivities = CentralActivities & TestbedActivities;

export const CENTRAL_ACTIVITY_NAMES = ['loadCampaign', 'planPage', 'classifyFlows', 'geolocate', 'persistRecord'] as const;
export const TESTBED_ACTIVITY_NAMES = [
  'provisionTunnels',
  'configurePhones',
  'startCapture',
  'sendMessage',
  'stopCapture',
  'fetchCapture',
  'traceroutes',
  'abortCapture',
  'teardown',
] as const;
