/**
 * One error type for every configuration problem. Its message is ONE line that names the file,
 * the key path inside it and the offending value, e.g.
 *   configs/apps/threema.yaml: timers.betweenMessagesSec: expected a number >= 0, got "ten"
 * so the person at the terminal can fix the file without reading code or stack traces.
 */

export type KeyPath = ReadonlyArray<string | number>;

export interface ConfigErrorDetails {
  /** The file as shown to the user (relative to the working directory when inside it). */
  file: string;
  /** Key path inside the file; empty for the document itself. */
  keyPath: KeyPath;
  /** What the key should hold, e.g. `expected a number >= 0`. */
  problem: string;
  /** The offending value; `undefined` = the key is missing. */
  value?: unknown;
  /** Whether `got <value>` is appended (not for syntax errors, which have no value). */
  showValue?: boolean;
  /** 1-based line of the problem when known (YAML syntax errors, and for tools). */
  line?: number;
  /** Replaces `<keyPath>` in the message (e.g. `line 3, column 7` for syntax errors; '' = none). */
  where?: string;
  /** Set when the file was reached through a reference: `<file> <keyPath>` of that reference. */
  via?: string;
}

export class ConfigError extends Error {
  readonly file: string;
  readonly keyPath: KeyPath;
  readonly problem: string;
  readonly value: unknown;
  readonly line: number | undefined;
  readonly via: string | undefined;
  readonly showValue: boolean;
  readonly where: string | undefined;

  constructor(details: ConfigErrorDetails) {
    super(formatConfigError(details));
    this.name = 'ConfigError';
    this.file = details.file;
    this.keyPath = details.keyPath;
    this.problem = details.problem;
    // never keep pasted key material on an error object that may be logged or serialized
    this.value = renderValue(details.value) === REDACTED ? REDACTED : details.value;
    this.line = details.line;
    this.via = details.via;
    this.showValue = details.showValue !== false;
    this.where = details.where;
  }

  /** The same error, annotated with the reference (file + key) through which it was reached. */
  withVia(via: string): ConfigError {
    if (this.via) return this;
    return new ConfigError({
      file: this.file,
      keyPath: this.keyPath,
      problem: this.problem,
      value: this.value,
      showValue: this.showValue,
      where: this.where,
      line: this.line,
      via,
    });
  }
}

function formatConfigError(d: ConfigErrorDetails): string {
  const where = d.where ?? (d.keyPath.length ? formatKeyPath(d.keyPath) : '(document)');
  const shown = d.value === undefined && d.keyPath.length === 0 ? 'an empty document' : renderValue(d.value);
  const got = d.showValue === false ? '' : `, got ${shown}`;
  const via = d.via ? ` (referenced by ${d.via})` : '';
  return `${d.file}: ${where ? `${where}: ` : ''}${d.problem}${got}${via}`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `timers.betweenMessagesSec`, `nodes[3].country`, `hosts["odd key"]`. */
export function formatKeyPath(keyPath: KeyPath): string {
  let out = '';
  for (const key of keyPath) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (IDENTIFIER.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

const MAX_VALUE_CHARS = 60;

/** Key material pasted where a path belongs must not travel on into terminals and logs. */
const KEY_MATERIAL = /-----BEGIN|PRIVATE KEY/;
const REDACTED = '<key material, not shown>';

/** A value as it would be written in JSON, shortened; `undefined` means the key is missing. */
export function renderValue(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === REDACTED) return REDACTED;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (KEY_MATERIAL.test(text)) return REDACTED;
  text = text.replace(/\s+/g, ' ');
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}
