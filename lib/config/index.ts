/**
 * Configuration files of MATAdOR-TS: YAML validated by strict zod schemas.
 *
 * Kinds (each file says which in its `schema:` key):
 *   matador.campaign/v1  configs/campaigns/*.yaml  what to measure: nodes x apps on testbeds
 *   matador.app/v1       configs/apps/*.yaml       app package, message, timers (Fig. 2), UI steps,
 *                                                  black/whitelists, the service's ports
 *   matador.nodes/v1     configs/nodes/*.yaml      vantage nodes (country checked against M49)
 *   matador.testbeds/v1  configs/testbeds/*.yaml   testbeds: real (phones + routers) or emulated
 *
 * API (all synchronous; file names relative to `options.cwd`, default process.cwd()):
 *
 *   loadCampaign(file, options?): LoadedCampaign
 *       Reads the campaign and every file it references (nodes, apps, testbeds, geo paths;
 *       references are relative to the campaign file), validates all of them, applies
 *       `nodes.select` / `testbeds.select`. The result is plain JSON (safe as an activity
 *       result): absolute file paths, parsed configs with defaults filled in, and the M49
 *       areas of the selected nodes' countries. Feed it to `expandPlan` (lib/campaign-plan.ts).
 *   loadAppFile(file, options?): LoadedApp
 *   loadNodesFile(file, options?): LoadedNodes
 *   loadTestbedsFile(file, options?): LoadedTestbeds
 *   loadConfigFile(file, options?): AnyLoadedConfig   dispatches on the `schema:` key
 *   parseConfigText(schema, text, displayFile)         validate text you already hold
 *
 * Errors: every problem is thrown as ONE `ConfigError` whose message is one line naming the
 * file, the key path and the value, e.g.
 *   configs/apps/threema.yaml: timers.betweenMessagesSec: expected a number >= 0, got "ten"
 *   configs/campaigns/x.yaml: apps[1]: file not found (looked for configs/apps/nope.yaml; ...), got "../apps/nope.yaml"
 *   configs/apps/bad.yaml: line 4, column 3: YAML syntax error: ...
 * A problem inside a referenced file names that file and ends with
 * `(referenced by <campaign file> <key>)`. When a file has several problems, the first one in
 * file order is reported. Nothing else is thrown for bad configs, so callers can treat
 * ConfigError as "user error, do not retry" (e.g. a Temporal non-retryable ApplicationFailure
 * of type 'ConfigError') and anything else as a bug.
 *
 * Secrets: testbed and nodes configs hold only PATHS of SSH keys and known_hosts files (`~/` and
 * file-relative, resolved to absolute paths by the loader, never read by it); a value that looks
 * like key material is refused without being echoed.
 *
 * Limits (LIMITS in fields.ts, configs/README.md "Limits"): times <= 1 day, scales <= 1000,
 * attempts <= 100, ids <= 64 characters, YAML <= 1 MiB / 32 levels / 100 aliases; YAML limits
 * are ConfigErrors of the file like any other problem.
 *
 * Wiring of real testbeds: routers.<side>.{lanInterface, phoneSubnet, underlayAddress,
 * captureDir} and `tunnel: {mode, table, rulePriority, vni, vxlanPort}` in the testbeds file,
 * {egressInterface, underlayAddress} per node in the nodes file. They are checked at load with
 * the drivers' own rules (interface names, IPv4 CIDRs/addresses, remote paths, number ranges;
 * test/config-wiring.test.ts keeps both in step); the loader fills in the routers' defaults,
 * activities/labs/testbeds-file.ts the nodes' and the tunnel numbers'.
 */
export { ConfigError, formatKeyPath, renderValue, type ConfigErrorDetails, type KeyPath } from './errors';
export {
  loadCampaign,
  loadAppFile,
  loadNodesFile,
  loadTestbedsFile,
  loadConfigFile,
  displayPath,
  CONFIG_SCHEMAS,
  type AnyLoadedConfig,
  type ConfigFs,
  type LoadOptions,
  type LoadedApp,
  type LoadedCampaign,
  type LoadedGeo,
  type LoadedNodes,
  type LoadedTestbeds,
} from './load';
export { parseConfigText, parseYaml, validate, type ParsedYaml } from './parse';
export {
  APP_SCHEMA,
  STEP_ACTIONS,
  TEMPLATE_VARIABLES,
  appFileSchema,
  fillTemplate,
  messageSenders,
  messagingSeconds,
  templateVariables,
  type AppFile,
  type Blacklist,
  type MessageSchedule,
  type MessagingTimers,
  type PortSpec,
  type TemplateVariable,
  type UiStep,
  type Whitelist,
} from './app';
export { CAMPAIGN_SCHEMA, campaignFileSchema, TRACE_METHODS, type CampaignFile, type RetrySettings, type TraceMethod } from './campaign';
export { NODES_SCHEMA, REAL_NODE_DEFAULTS, nodeUnderlayAddress, nodesFileSchema, type NodeConfig, type NodeSshConfig, type NodesFile } from './nodes';
export {
  REAL_TESTBED_DEFAULTS,
  TESTBEDS_SCHEMA,
  TUNNEL_MODES,
  testbedsFileSchema,
  type EmulatedTestbedConfig,
  type PhoneConfig,
  type RealTestbedConfig,
  type RouterConfig,
  type TestbedConfig,
  type TestbedsFile,
  type TunnelConfig,
} from './testbeds';
export { LIMITS, parseCidr, type ParsedCidr } from './fields';
