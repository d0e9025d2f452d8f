/**
 * How a testbed phone gets its mock location (testbeds config `phones.<side>.location`):
 *   { provider: appium-settings }   the Appium Settings app (io.appium.settings), the default
 *   { command: 'am broadcast -a my.mock.SET --ef lat ${latitude} --ef lon ${longitude}',
 *     package: my.mock }            any other provider app, driven by a command template
 * A template is split into words here, once, at load (blanks separate words; '…' and "…" group
 * them); each word may hold ${latitude} and ${longitude}. The driver fills the words and quotes
 * each for the device shell: a value never becomes shell syntax. Pure code.
 */

export type LocationProviderConfig = { provider: 'appium-settings' } | { command: string; package?: string };

export const LOCATION_TEMPLATE_VARIABLES = ['latitude', 'longitude'] as const;
export type LocationTemplateVariable = (typeof LOCATION_TEMPLATE_VARIABLES)[number];

/** A template -> its words, or what is wrong with it (one line, for the config error). */
export function splitCommandTemplate(template: string): { argv: string[] } | { error: string } {
  const argv: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (const ch of template) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (/\s/.test(ch)) {
      if (word !== null) argv.push(word);
      word = null;
    } else word = (word ?? '') + ch;
  }
  if (quote) return { error: `unclosed ${quote} quote` };
  if (word !== null) argv.push(word);
  if (argv.length === 0) return { error: 'an empty command' };
  for (const w of argv) {
    for (const m of w.matchAll(/\$\{([^}]*)\}/g)) {
      if (!(LOCATION_TEMPLATE_VARIABLES as readonly string[]).includes(m[1])) return { error: `unknown variable \${${m[1]}} (known: ${LOCATION_TEMPLATE_VARIABLES.map((v) => `\${${v}}`).join(', ')})` };
    }
  }
  if (!argv.some((w) => w.includes('${latitude}')) || !argv.some((w) => w.includes('${longitude}'))) return { error: 'the command must use both ${latitude} and ${longitude}' };
  return { argv };
}

/** Fills the words of a split template; the numbers are written with six decimals (~0.1 m). */
export function fillCommandTemplate(argv: readonly string[], values: Record<LocationTemplateVariable, number>): string[] {
  return argv.map((w) => w.replace(/\$\{(latitude|longitude)\}/g, (_, v: LocationTemplateVariable) => values[v].toFixed(6)));
}
