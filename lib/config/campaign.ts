/**
 * `matador.campaign/v1`: what to measure — which apps between which nodes on which testbeds.
 * File references are paths relative to the campaign file; the loader resolves and validates
 * them, naming the referencing key when one is wrong.
 */
import { z } from 'zod';
import { id, LIMITS, list, literal, num, oneOf, pathRef, seconds, str, strict } from './fields';

export const CAMPAIGN_SCHEMA = 'matador.campaign/v1';

const fileRef = () => pathRef('a file path (relative to this file)');
const idList = (what: string) =>
  list(id(), { min: 1, what }).superRefine((ids, ctx) => {
    ids.forEach((value, index) => {
      const first = ids.indexOf(value);
      if (first !== index) ctx.addIssue({ code: 'custom', path: [index], message: `expected an id not listed before (it is at [${first}])` });
    });
  });

export const campaignFileSchema = strict({
  schema: literal(CAMPAIGN_SCHEMA),
  id: id(),
  description: str('a description').optional(),
  nodes: strict({
    file: fileRef(),
    /** measure only these node ids (default: all nodes of the file, in file order) */
    select: idList('a list of node ids').optional(),
  }),
  apps: list(fileRef(), { min: 1, what: 'a list of app config files' }),
  testbeds: strict({
    file: fileRef(),
    select: idList('a list of testbed ids').optional(),
  }),
  /**
   * How measurements are spread over testbeds. `pair` (default): all apps of a node pair run
   * consecutively on one testbed, pairs round-robin over testbeds (tunnels to the two nodes are
   * set up once per pair). `measurement`: each measurement round-robin on its own.
   */
  assignment: oneOf(['pair', 'measurement'] as const).default('pair'),
  /** multiplies every messaging timer of every app (e.g. 0.05 for a quick demo) */
  timerScale: num({ above: 0, max: LIMITS.scale }, `a number > 0 and <= ${LIMITS.scale}`).default(1),
  /** geolocation inputs (configs/geo/**), relative to this file; defaults are the shipped ones */
  geo: strict({
    interestGroups: fileRef().optional(),
    corrections: list(fileRef(), { what: 'a list of corrections files' }).optional(),
    m49: fileRef().optional(),
  }).optional(),
  /** a measurement that fails for good is cleaned up and retried as a whole (saga) */
  retry: strict({
    maxAttempts: num({ int: true, min: 1, max: LIMITS.attempts }).default(3),
    initialIntervalSec: seconds().default(30),
    backoffCoefficient: num({ min: 1, max: LIMITS.scale }).default(2),
    maxIntervalSec: seconds().default(600),
  }).default({ maxAttempts: 3, initialIntervalSec: 30, backoffCoefficient: 2, maxIntervalSec: 600 }),
});

export type CampaignFile = z.infer<typeof campaignFileSchema>;
export type RetrySettings = CampaignFile['retry'];
