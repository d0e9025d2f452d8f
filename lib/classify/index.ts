/** Flow classification (paper section 4): classes, reasons, endpoints, message attribution. */
export { classifyFlows } from './classify';
export { CLASSIFICATION_REASONS, FLOW_CLASSES, REASON_CLASS, type ClassificationReason, type FlowClass } from './reasons';
export { ClassifierInputError, DEFAULT_MIN_MESSAGES_WITHOUT_WHITELIST, classifierRulesFromAppConfig, type AppClassificationSection } from './rules';
export { compileHostPattern, parseCidr, cidrContains, localScopeBlock } from './match';
export { pickTracerouteTargets, type EndpointLike, type PickTargetsOptions, type TracerouteTarget } from './targets';
export type * from './types';
