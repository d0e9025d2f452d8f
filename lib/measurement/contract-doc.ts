/**
 * The step table and the failure catalogue as Markdown, for README (test/contract-doc.test.ts
 * keeps README's copy equal to this, so the documentation is derived from the declaration too).
 */
import { FAILURE_CODES, FAILURES } from '../failures';
import { FAILURE_GROUPS, RETRY_POLICIES, STEP_NAMES, STEPS } from './steps';

/** A step's failures with whole groups named (`ssh`) and the other codes as they are. */
function byGroup(failures: readonly string[]): string {
  const groups = Object.entries(FAILURE_GROUPS).filter(([, codes]) => codes.every((c) => failures.includes(c)));
  const grouped = new Set(groups.flatMap(([, codes]) => codes as readonly string[]));
  return [...groups.map(([name]) => `*${name}*`), ...failures.filter((c) => !grouped.has(c))].join(', ') || '-';
}

export function stepTableMarkdown(): string {
  const rows = STEP_NAMES.map((name) => {
    const d: { queue: string; role: string; retry: keyof typeof RETRY_POLICIES; startToCloseSeconds: number; heartbeatSeconds?: number; failures: readonly string[] } = STEPS[name];
    const r = RETRY_POLICIES[d.retry];
    const timeouts = `${d.startToCloseSeconds} s${d.heartbeatSeconds !== undefined ? ` (heartbeat ${d.heartbeatSeconds} s)` : ''}`;
    return `| ${name} | ${d.queue} | ${d.role} | ${timeouts} | ${d.retry}: ${r.maximumAttempts} tries, ${r.initialIntervalSeconds}-${r.maximumIntervalSeconds} s | ${byGroup(d.failures)} |`;
  });
  const legend = Object.entries(FAILURE_GROUPS).map(([name, codes]) => `*${name}* = ${codes.join(', ')}`).join('; ');
  return ['| step | queue | role | timeout | retry | failures it may report |', '|---|---|---|---|---|---|', ...rows, '', `Groups: ${legend}.`].join('\n');
}

export function failureCatalogueMarkdown(): string {
  const rows = FAILURE_CODES.map((code) => {
    const f = FAILURES[code];
    return `| ${code} | ${f.retryable ? 'yes' : 'no'} | ${f.endsMeasurement ? 'yes' : 'no'} | ${f.meaning.replace(/\|/g, '\\|')} |`;
  });
  return ['| code | retried in place | ends the measurement | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
