/** Small plans for tests: every unordered node pair (self-pairs included) x apps, testbeds
 *  round-robin by pair — the same shape lib/campaign-plan produces, without reading YAML. */
import type { ExpandedPlan } from '../../activities/plan-loader';
import type { MeasurementSpec } from '../../lib/measurement/payloads';

export interface TestPlanOptions {
  campaign: string;
  apps: string[];
  nodes: Array<{ id: string; country: string }>;
  testbeds: string[];
  /** messages per measurement (alternating A/B, zero waits) */
  messages?: number;
}

export function makePlan(o: TestPlanOptions): ExpandedPlan {
  const measurements: MeasurementSpec[] = [];
  let pair = 0;
  for (let i = 0; i < o.nodes.length; i++) {
    for (let j = i; j < o.nodes.length; j++) {
      const testbed = o.testbeds[pair % o.testbeds.length];
      pair++;
      for (const app of o.apps) {
        const a = o.nodes[i];
        const b = o.nodes[j];
        measurements.push({
          measurementId: `${o.campaign}/${app}/${a.id}/${b.id}`,
          campaign: o.campaign,
          app,
          nodeA: { ...a, latitude: 0, longitude: 0 },
          nodeB: { ...b, latitude: 0, longitude: 0 },
          testbed,
          messages: Array.from({ length: o.messages ?? 2 }, (_, k) => ({
            index: k,
            from: k % 2 === 0 ? ('A' as const) : ('B' as const),
            waitSeconds: 1,
            text: `test message ${k + 1}`,
          })),
          settleSeconds: 1,
        });
      }
    }
  }
  return { campaign: o.campaign, measurements };
}
