/**
 * Golden tests: one directory per scenario under test/fixtures/traceroute/<scenario>/ with
 *   input.txt (Debian traceroute text) or input.jsonl (scamper -O json),
 *   options.json (what the caller knows: side, and for traceroute text the protocol/port),
 *   expected.json ({ "trace": ... } / { "traces": [...] } or { "error": {line, text, problem} }).
 * `real-*` inputs are genuine tool output captured on loopback by capture-real.sh; the others
 * are hand-written after real multi-hop output. UPDATE_GOLDEN=1 rewrites expected.json (review
 * the diff before committing). Every scenario is also fed in small chunks to the streaming form,
 * which must give the same result.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TraceParseError } from './hops';
import { ScamperJsonParser, parseScamperJson, type ScamperJsonOptions } from './scamper-json';
import { TracerouteTextParser, parseTracerouteText, type TracerouteTextOptions } from './traceroute-text';

const FIXTURES = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'traceroute');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function scenarios(): string[] {
  return fs
    .readdirSync(FIXTURES, { withFileTypes: true })
    // dialects/ holds other tools' outputs with jc's expectations: dialects.golden.test.ts.
    .filter((entry) => entry.isDirectory() && entry.name !== 'dialects')
    .map((entry) => entry.name)
    .sort();
}

function outcome(run: () => unknown, key: 'trace' | 'traces'): unknown {
  try {
    return { [key]: run() };
  } catch (error) {
    if (!(error instanceof TraceParseError)) throw error;
    return { error: { line: error.line, text: error.text, problem: error.problem } };
  }
}

/** Feed `text` in chunks of `size` characters: chunk borders fall inside lines and tokens. */
function chunked(text: string, size: number, push: (chunk: string) => void): void {
  for (let i = 0; i < text.length; i += size) push(text.slice(i, i + size));
}

describe('traceroute golden scenarios', () => {
  const names = scenarios();

  it('has scenarios of both formats, real and hand-written', () => {
    const txt = names.filter((n) => fs.existsSync(path.join(FIXTURES, n, 'input.txt')));
    const jsonl = names.filter((n) => fs.existsSync(path.join(FIXTURES, n, 'input.jsonl')));
    expect(txt.length + jsonl.length).toBe(names.length);
    expect(txt.filter((n) => n.startsWith('real-')).length).toBeGreaterThanOrEqual(10);
    expect(jsonl.filter((n) => n.startsWith('real-')).length).toBeGreaterThanOrEqual(5);
    expect(txt.filter((n) => !n.startsWith('real-')).length).toBeGreaterThanOrEqual(5);
    expect(jsonl.filter((n) => !n.startsWith('real-')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(names)('%s', (name) => {
    const dir = path.join(FIXTURES, name);
    const options = JSON.parse(fs.readFileSync(path.join(dir, 'options.json'), 'utf8')) as unknown;
    const textFile = path.join(dir, 'input.txt');
    let actual: unknown;
    let streamed: unknown;
    if (fs.existsSync(textFile)) {
      const text = fs.readFileSync(textFile, 'utf8');
      const opts = options as TracerouteTextOptions;
      actual = outcome(() => parseTracerouteText(text, opts), 'trace');
      streamed = outcome(() => {
        const parser = new TracerouteTextParser(opts);
        chunked(text, 7, (c) => parser.push(c));
        return parser.end();
      }, 'trace');
    } else {
      const text = fs.readFileSync(path.join(dir, 'input.jsonl'), 'utf8');
      const opts = options as ScamperJsonOptions;
      actual = outcome(() => parseScamperJson(text, opts), 'traces');
      streamed = outcome(() => {
        const parser = new ScamperJsonParser(opts);
        chunked(text, 13, (c) => parser.push(c));
        return parser.end();
      }, 'traces');
    }
    expect(streamed).toEqual(actual);
    const expectedFile = path.join(dir, 'expected.json');
    if (UPDATE) fs.writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(fs.readFileSync(expectedFile, 'utf8')));
  });
});
