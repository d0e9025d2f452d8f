/** Faults listed in a world config are in force right after `up` and clear like CLI faults. */
import * as path from 'path';
import { readWorldState } from '../../testbed/world/state';
import { runCli } from './helpers';

jest.setTimeout(180_000);

afterAll(async () => {
  await runCli(['testbed', 'down']);
});

test('a config fault (100% loss on gb~es) cuts Poland from Spain until cleared; Poland still reaches London', async () => {
  const up = await runCli(['testbed', 'up', path.join(__dirname, '..', 'fixtures', 'world', 'faulty.yaml'), '--skip', 'sshd,phones']);
  expect(up.stderr).toBe('');
  expect(up.stdout).toMatch(/fault link gb~es: 100% loss both ways/);
  const state = readWorldState('faulty');
  expect(state.faults).toEqual([expect.objectContaining({ kind: 'link-loss', target: 'gb~es', value: 100 })]);
  const es = state.nodes.find((n) => n.id === 'es-mad')?.address as string;
  const gb = state.nodes.find((n) => n.id === 'gb-lon')?.address as string;
  expect((await runCli(['testbed', 'exec', 'pl-waw', '--', 'ping', '-c', '2', '-W', '1', es])).code).not.toBe(0);
  expect((await runCli(['testbed', 'exec', 'pl-waw', '--', 'ping', '-c', '1', '-W', '2', gb])).code).toBe(0);
  expect((await runCli(['testbed', 'fault', 'link-loss', 'gb~es', '--clear'])).code).toBe(0);
  expect((await runCli(['testbed', 'exec', 'pl-waw', '--', 'ping', '-c', '1', '-W', '2', es])).code).toBe(0);
  expect(readWorldState('faulty').faults).toEqual([]);
});
