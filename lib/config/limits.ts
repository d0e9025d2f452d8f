/**
 * Upper bounds (configs/README.md, "Limits"): a value beyond them is a typo or an attack, and
 * would overflow a timer (setTimeout holds 24.8 days), a Temporal duration or a loop. zod's
 * numbers are finite already (no Infinity, no NaN).
 */
export const LIMITS = {
  /** any time in seconds: timers, UI waits, tap timeouts, retry intervals (one day) */
  seconds: 86_400,
  /** timerScale and other multipliers */
  scale: 1000,
  /** retry attempts */
  attempts: 100,
  /** messages per measurement */
  messages: 1000,
  /** ids (campaign, app, node, testbed, world): they end up in workflow ids and file names */
  idLength: 64,
  /** paths in configs (PATH_MAX) */
  pathLength: 4096,
  /** a config file, in bytes */
  fileBytes: 1024 * 1024,
  /** nesting of mappings and lists in a config file */
  depth: 32,
  /** YAML aliases (`*name`) per file */
  aliases: 100,
} as const;

/**
 * Why a campaign's run options (CampaignInput.options: from `matador campaign start` flags or a
 * hand-written `temporal workflow start --input`) cannot be used, or null. Pure and tiny: the
 * campaign workflow calls it before it sleeps a single timer.
 */
export function runOptionsProblem(options: { timerScale?: unknown; timeoutScale?: unknown; maxAttempts?: unknown } | undefined): string | null {
  if (options === undefined || options === null) return null;
  const checks: Array<[string, unknown, number, number, boolean]> = [
    ['timerScale', options.timerScale, 0, LIMITS.scale, false],
    ['timeoutScale', options.timeoutScale, 0, LIMITS.scale, false],
    ['maxAttempts', options.maxAttempts, 1, LIMITS.attempts, true],
  ];
  for (const [key, value, min, max, int] of checks) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (int && !Number.isInteger(value))) {
      return `options.${key}: expected ${int ? 'an integer' : 'a number'} between ${min} and ${max}, got ${JSON.stringify(value) ?? String(value)}`;
    }
  }
  return null;
}
