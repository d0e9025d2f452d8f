/**
 * YAML text + schema -> typed config, or ONE ConfigError. When a file has several problems the
 * one that comes first in the file is reported (fix, rerun, next), so the message is stable and
 * matches what the reader sees top to bottom.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type KeyPath } from './errors';
import { unknownKeyMessage } from './fields';

export interface ParsedYaml {
  /** plain JS data of the document (undefined for an empty document) */
  data: unknown;
  /** 1-based line of the value (or key) at a key path, for messages and tools; null if absent */
  lineOf(keyPath: KeyPath): number | null;
}

/** Parse YAML, turning the first syntax error into a ConfigError naming file, line and column. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new ConfigError({
      file,
      keyPath: [],
      where: `line ${line}, column ${col}`,
      problem: `YAML syntax error: ${first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      showValue: false,
      line,
    });
  }
  const data: unknown = doc.contents === null ? undefined : doc.toJS({ maxAliasCount: 100 });
  return {
    data,
    lineOf: (keyPath) => {
      const offset = offsetOf(doc, keyPath);
      return offset === null ? null : lineCounter.linePos(offset).line;
    },
  };
}

/** Validate parsed data against a schema; the first problem in file order becomes the error. */
export function validate<S extends z.ZodType>(schema: S, parsed: ParsedYaml, file: string): z.output<S> {
  const result = schema.safeParse(parsed.data);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue, order) => {
    const keyPath = issueKeyPath(issue);
    return { issue, keyPath, order, line: parsed.lineOf(keyPath) ?? Number.MAX_SAFE_INTEGER };
  });
  problems.sort((a, b) => a.line - b.line || a.order - b.order);
  const { issue, keyPath, line } = problems[0];
  throw new ConfigError({
    file,
    keyPath,
    problem: problemText(issue),
    value: valueAt(parsed.data, keyPath),
    line: line === Number.MAX_SAFE_INTEGER ? undefined : line,
  });
}

/** Both steps: the usual entry point for one file's text. */
export function parseConfigText<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  return validate(schema, parseYaml(text, file), file);
}

function issueKeyPath(issue: z.core.$ZodIssue): KeyPath {
  const base = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  // An unknown key is reported at the key itself, so the path points at the typo.
  if (issue.code === 'unrecognized_keys' && issue.keys.length) return [...base, issue.keys[0]];
  return base;
}

function problemText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys' && !issue.message.startsWith('unknown key')) {
    return unknownKeyMessage(issue.keys[0] ?? '', []);
  }
  // Schemas here give every leaf its own sentence; this is the fallback for zod's wording.
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) return `expected ${issue.expected}`;
  return issue.message;
}

function valueAt(data: unknown, keyPath: KeyPath): unknown {
  let node = data;
  for (const key of keyPath) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/**
 * Source offset for a key path: the key (for mappings) or item (for lists) at the end of the
 * path; for a missing key, the end of the deepest mapping that exists, i.e. where it belongs.
 */
function offsetOf(doc: Document, keyPath: KeyPath): number | null {
  let node: unknown = doc.contents;
  let offset: number | null = (node as Node | null)?.range?.[0] ?? null;
  for (const key of keyPath) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) return node.range?.[1] ?? offset;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
      node = node.items[key];
      offset = (node as Node | null)?.range?.[0] ?? offset;
    } else {
      return (node as Node | null)?.range?.[1] ?? offset;
    }
  }
  return offset;
}
