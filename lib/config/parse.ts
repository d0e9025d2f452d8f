/**
 * YAML text + schema -> typed config, or ONE ConfigError. When a file has several problems the
 * one that comes first in the file is reported (fix, rerun, next), so the message is stable and
 * matches what the reader sees top to bottom.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type KeyPath } from './errors';
import { LIMITS, unknownKeyMessage } from './fields';

export interface ParsedYaml {
  /** plain JS data of the document (undefined for an empty document) */
  data: unknown;
  /** 1-based line of the value (or key) at a key path, for messages and tools; null if absent */
  lineOf(keyPath: KeyPath): number | null;
}

/** A resource limit of the YAML reader, reported like any other config problem. */
function limitError(file: string, problem: string): ConfigError {
  return new ConfigError({ file, keyPath: [], where: '', problem, showValue: false });
}

/**
 * Parse YAML, turning the first syntax error into a ConfigError naming file, line and column.
 * Hostile or runaway files (too large, too deeply nested, alias bombs) are ConfigErrors too,
 * never a RangeError or a hang: see LIMITS in fields.ts.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  if (text.length > LIMITS.fileBytes) {
    throw limitError(file, `config file too large (${text.length} characters; at most ${LIMITS.fileBytes})`);
  }
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  } catch (err) {
    throw limitError(file, `YAML cannot be read (${tooComplex(err)})`);
  }
  const first = doc.errors[0];
  if (first && /call stack/i.test(first.message)) throw limitError(file, 'YAML cannot be read (nested too deeply)');
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
  const depth = nodeDepth(doc.contents);
  if (depth > LIMITS.depth) throw limitError(file, `YAML nested too deeply (more than ${LIMITS.depth} levels of mappings and lists)`);
  let data: unknown;
  try {
    data = doc.contents === null ? undefined : doc.toJS({ maxAliasCount: LIMITS.aliases });
  } catch (err) {
    throw limitError(file, `YAML cannot be read (${tooComplex(err)})`);
  }
  return {
    data,
    lineOf: (keyPath) => {
      const offset = offsetOf(doc, keyPath);
      return offset === null ? null : lineCounter.linePos(offset).line;
    },
  };
}

function tooComplex(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/alias/i.test(message)) return `too many aliases: at most ${LIMITS.aliases} expansions`;
  if (err instanceof RangeError) return 'nested too deeply';
  return message.split('\n')[0];
}

/** Nesting depth of mappings and lists, without recursion (a deep file must not blow the stack);
 *  stops counting just past the limit. Aliases are not followed (toJS bounds them). */
function nodeDepth(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (isMap(node) || isSeq(node)) {
      if (depth + 1 > max) max = depth + 1;
      if (max > LIMITS.depth) return max;
      for (const item of node.items as unknown[]) {
        if (isMap(node)) {
          const pair = item as { key: unknown; value: unknown };
          stack.push([pair.key, depth + 1], [pair.value, depth + 1]);
        } else stack.push([item, depth + 1]);
      }
    }
  }
  return max;
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
  const problem = problemText(issue);
  // pasted keys, and values that may carry a secret (a webhook URL with a token), are never echoed
  const keyMaterial = problem.includes('key material') || problem.includes('(the value is not shown');
  throw new ConfigError({
    file,
    keyPath,
    problem,
    // pasted keys are never echoed, not even shortened
    value: keyMaterial ? undefined : valueAt(parsed.data, keyPath),
    showValue: !keyMaterial,
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
