/**
 * Workflows that started under older code replay under today's: every history in
 * test/fixtures/histories (recorded by record.ts beside them, at the commit each README line
 * names) runs through a replay worker with today's workflow code. A change to the workflows
 * that is not behind a patch fails here with Temporal's nondeterminism error.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { Worker } from '@temporalio/worker';
import { quietRuntime, workflowBundle } from '../support/workers';

/**
 * A history as `temporal workflow show --output json` writes it, parsed with the protobufjs copy
 * of @temporalio/proto. (SDK 1.24.0 installs two copies of protobufjs 8, under common and under
 * proto, and @temporalio/common's historyFromJSON mixes them: "type must be a Type".)
 */
function historyFromCliJson(json: unknown): proto.temporal.api.history.v1.History {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { fromJson } = require(require.resolve('protobufjs/ext/protojson', { paths: [path.dirname(require.resolve('@temporalio/proto'))] })) as {
    fromJson: (type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }) => unknown;
  };
  const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');
  return fromJson(historyType, json, { ignoreUnknownFields: true }) as proto.temporal.api.history.v1.History;
}

const DIR = path.join(__dirname, '..', 'fixtures', 'histories');
const histories = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('replay of recorded histories with today’s workflows', () => {
  beforeAll(() => quietRuntime());

  it('has the histories the README lists', () => {
    const readme = fs.readFileSync(path.join(DIR, 'README.md'), 'utf8');
    expect(histories.length).toBeGreaterThan(0);
    for (const f of histories) expect(readme).toContain(f);
  });

  it.each(histories)('%s replays without nondeterminism', async (file) => {
    const history = historyFromCliJson(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file)).resolves.toBeUndefined();
  }, 120_000);
});
