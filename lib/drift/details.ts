/**
 * The drift section of a campaign run's workflow details (Temporal user metadata, shown by the
 * Web UI and `temporal workflow describe`): pure, so the campaign workflow (and the summary /
 * details of issue 14 part W) can include it as it is. Markdown lines.
 */
import type { DriftOutcome } from '../measurement/payloads';

export type WebhookState = 'none' | 'delivered' | 'delivered before' | 'failed';

export interface DriftStepResult {
  outcome: DriftOutcome | null;
  /** Why there is no outcome (the drift step failed; the campaign ends anyway). */
  error: string | null;
  webhook: WebhookState;
  /** The webhook's last error (its URL redacted by the activity). */
  webhookError: string | null;
}

/** The `Drift` section as lines. */
export function driftDetailsLines(r: DriftStepResult): string[] {
  if (!r.outcome) return [`**Drift**: not checked: ${r.error ?? 'unknown error'}`];
  const o = r.outcome;
  const head =
    o.previous === null
      ? `**Drift**: ${o.lines[0] ?? 'no earlier run to compare with'}`
      : `**Drift** since ${o.previous}: ${o.alerts} alert${o.alerts === 1 ? '' : 's'}${o.added !== o.alerts ? ` (${o.added} new)` : ''}`;
  const out = [head];
  // one item per line: the campaign's details (lib/workflow-text) list each as a bullet
  if (o.previous !== null) out.push(...(o.alerts > 0 ? o.lines : [o.lines[0] ?? 'no change']));
  if (r.webhook === 'failed') out.push(`webhook: failed, recorded in the results store (${r.webhookError ?? 'no error text'})`);
  else if (r.webhook !== 'none') out.push(`webhook: ${r.webhook}`);
  return out;
}
