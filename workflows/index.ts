/** Workflow entry (workers bundle this file). Workflow code only: activities as types. */
export { campaignWorkflow, progressQuery, pauseSignal, resumeSignal } from './campaign';
export { measurementWorkflow } from './measurement';
export { testbedCheckWorkflow, checkProgressQuery } from './testbed-check';
export { shipArtefactsWorkflow } from './artefacts';
