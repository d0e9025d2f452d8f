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
    this.problem = looksLikeKeyMaterial(details.problem) ? KEY_PROBLEM : details.problem;
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
  // a problem text that quotes the value (lib/geo's parsers, "looked for <path>") must not carry a key either
  if (looksLikeKeyMaterial(d.problem)) d = { ...d, problem: KEY_PROBLEM, showValue: false };
  const shown = d.value === undefined && d.keyPath.length === 0 ? 'an empty document' : renderValue(d.value);
  const got = d.showValue === false ? '' : `, got ${shown}`;
  const via = d.via ? ` (referenced by ${d.via})` : '';
  const message = oneLine(`${d.file}: ${where ? `${where}: ` : ''}${d.problem}${got}${via}`);
  // last guard (a key pasted as a mapping key ends up in the key path)
  return looksLikeKeyMaterial(message) ? oneLine(`${d.file}: ${KEY_PROBLEM}`) : message;
}

/** Messages are ONE line: line breaks and other control characters become `\xNN`. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
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
const KEY_MATERIAL = [
  /-----BEGIN|PRIVATE KEY|PuTTY-User-Key-File/,
  // an OpenSSH public key line, or its private counterpart's blob
  /\b(ssh-(ed25519|rsa|dss)|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+)\s+AAAA/,
  /\bAAAA[A-Za-z0-9+/]{60,}/,
];

/** A long run of base64 (100+ characters) with a 40-character stretch without "/" that mixes
 *  upper case, lower case and digits: random key bytes look like that, file names do not. */
function longBase64(text: string): boolean {
  for (const [run] of text.matchAll(/[A-Za-z0-9+/=]{100,}/g)) {
    if (run.split('/').some((part) => part.length >= 40 && /[A-Z]/.test(part) && /[a-z]/.test(part) && /[0-9]/.test(part))) return true;
  }
  return false;
}
const REDACTED = '<key material, not shown>';
const KEY_PROBLEM = 'a value here looks like key material (not shown): expected something else';

/** Whether a string looks like pasted key material (a PEM block, an OpenSSH key, long base64). */
export function looksLikeKeyMaterial(text: string): boolean {
  return KEY_MATERIAL.some((re) => re.test(text)) || longBase64(text);
}

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
  if (looksLikeKeyMaterial(text)) return REDACTED;
  text = text.replace(/\s+/g, ' ');
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}
