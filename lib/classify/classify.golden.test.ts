/**
 * Golden tests, one directory per scenario under test/fixtures/classify/<scenario>/:
 *   input.json    { description, ...ClassifierInput }
 *   expected.json the ClassificationResult, or { "error": message } for rejected input.
 * Scenario names say what they check. UPDATE_GOLDEN=1 rewrites expected.json; review the diff.
 */
import * as fs from 'fs';
import * as path from 'path';
import { classifyFlows } from './classify';
import { CLASSIFICATION_REASONS, REASON_CLASS, type ClassificationReason } from './reasons';
import { ClassifierInputError } from './rules';
import type { ClassificationResult, ClassifierInput } from './types';

const FIXTURES = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'classify');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const scenarios = fs
  .readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const reasonsSeen = new Set<ClassificationReason>();

function run(input: ClassifierInput): ClassificationResult | { error: string } {
  try {
    return classifyFlows(input);
  } catch (error) {
    if (error instanceof ClassifierInputError) return { error: error.message };
    throw error;
  }
}

describe('flow classification golden scenarios', () => {
  it.each(scenarios)('%s', (name) => {
    const dir = path.join(FIXTURES, name);
    const { description, ...input } = JSON.parse(fs.readFileSync(path.join(dir, 'input.json'), 'utf8')) as ClassifierInput & { description: string };
    expect(description.length).toBeGreaterThan(20);
    const actual = run(input);
    const expectedFile = path.join(dir, 'expected.json');
    if (UPDATE) fs.writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(fs.readFileSync(expectedFile, 'utf8')));

    if ('error' in actual) return;
    // invariants every result must keep, whatever the scenario
    for (const flow of actual.flows) {
      reasonsSeen.add(flow.reason);
      expect(CLASSIFICATION_REASONS).toContain(flow.reason);
      expect(flow.class).toBe(REASON_CLASS[flow.reason]);
      if (flow.class === 'noise') expect(flow.evidence.carriedMessages).toEqual([]);
    }
    for (const message of actual.messages) {
      if (message.flow !== null) {
        expect(message.candidates[0]).toBe(message.flow);
        expect(actual.flows[message.flow].evidence.carriedMessages).toContain(message.index);
      }
    }
    const servedFlows = actual.endpoints.flatMap((e) => e.flows).sort((a, b) => a - b);
    const usefulFlows = actual.flows.filter((f) => f.class === 'messaging' || f.class === 'app-background').map((f) => f.index);
    expect(servedFlows).toEqual(usefulFlows);
  });

  it('the scenarios together exercise every reason of the closed list', () => {
    expect([...reasonsSeen].sort()).toEqual([...CLASSIFICATION_REASONS].sort());
  });
});
