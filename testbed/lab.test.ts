/**
 * worldStateOf: the steps resolve their testbed on every activity, so the world's state file is
 * read again only when `matador testbed` rewrote it (stamp: inode, size, mtime); a world taken
 * down or gone is noticed on the next call.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { worldStateOf as WorldStateOf } from './lab';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mt-lab-'));
let worldStateOf: typeof WorldStateOf;
let file = '';
let schema = '';

// Loaded after MATADOR_DATA_DIR is set: the project paths read it once.
beforeAll(async () => {
  process.env.MATADOR_DATA_DIR = root;
  ({ worldStateOf } = await import('./lab'));
  const world = await import('./world');
  file = world.stateFile('w1');
  schema = world.WORLD_STATE_SCHEMA;
});

const write = (status: string, extra: Record<string, unknown> = {}): void => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written elsewhere and renamed over, as a rewrite of the state does: a new inode.
  fs.writeFileSync(`${file}.new`, JSON.stringify({ schema, status, testbeds: [], nodes: [], ...extra }));
  fs.renameSync(`${file}.new`, file);
};

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('reads the state once while the file is unchanged, and again after it was rewritten', () => {
  write('up', { note: 'first' });
  const a = worldStateOf('w1');
  expect(worldStateOf('w1')).toBe(a); // the same object: not parsed again
  write('up', { note: 'second' });
  const b = worldStateOf('w1');
  expect(b).not.toBe(a);
  expect((b as unknown as { note: string }).note).toBe('second');
});

it('a world taken down or removed is refused on the next call, not served from what was read', () => {
  write('up');
  worldStateOf('w1');
  write('down');
  expect(() => worldStateOf('w1')).toThrow(/emulated world w1 is down/);
  write('up');
  expect(worldStateOf('w1').status).toBe('up');
  fs.rmSync(file);
  expect(() => worldStateOf('w1')).toThrow(/emulated world w1: world w1 is not up \(no .*state\.json\)/);
});
