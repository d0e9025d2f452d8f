/**
 * The world survives crashes: an `up` killed with SIGKILL half-way leaves namespaces and
 * processes that `down` removes completely; leftovers (a stray mt- namespace with a process in
 * it, a stale world directory) are cleared by the next `up`.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stateFile, worldsDir, WorldState } from '../../testbed/world/state';
import { MATADOR, runCmd } from '../support/matador-cli';
import { isProcessAlive } from '../../ops/pid';
import { mtNamespaces, processesMentioning, runCli } from './helpers';

jest.setTimeout(300_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function expectNothingLeft(): Promise<void> {
  expect(await mtNamespaces()).toEqual([]);
  expect(processesMentioning(`${worldsDir()}/`)).toEqual([]);
  expect(fs.existsSync(worldsDir())).toBe(false);
  expect((await runCmd(['ip', '-o', 'link', 'show'])).stdout).not.toMatch(/ mt-/);
  expect(fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('mt-world-'))).toEqual([]);
  expect(fs.existsSync('/etc/netns') ? fs.readdirSync('/etc/netns').filter((d) => d.startsWith('mt-')) : []).toEqual([]);
}

afterAll(async () => {
  await runCli(['testbed', 'down']);
});

test('an up killed with SIGKILL half-way is removed completely by down', async () => {
  const up = spawn(process.execPath, [MATADOR, 'testbed', 'up', 'small'], { stdio: 'ignore' });
  let partial: WorldState | null = null;
  try {
    // Wait until the state shows a half-built world: network up, first processes started.
    for (let i = 0; i < 600 && partial === null; i++) {
      await sleep(50);
      try {
        const st = JSON.parse(fs.readFileSync(stateFile('small'), 'utf8')) as WorldState;
        if (st.status === 'starting' && st.processes.length > 0) partial = st;
      } catch {
        /* not written yet */
      }
    }
  } finally {
    up.kill('SIGKILL');
  }
  if (partial === null) throw new Error('up never reached a half-built state');
  await new Promise((r) => up.once('exit', r));
  expect((await mtNamespaces()).length).toBeGreaterThan(20);
  const leftoverPids = partial.processes.map((p) => p.pid);
  expect(leftoverPids.some(isProcessAlive)).toBe(true);

  const down = await runCli(['testbed', 'down']);
  expect(down.code).toBe(0);
  expect(down.stdout).toMatch(/world down: \d+ namespaces/);
  for (const pid of leftoverPids) expect(isProcessAlive(pid)).toBe(false);
  await expectNothingLeft();
});

test('up clears leftovers first: a stray mt- namespace with a process, a stale world directory', async () => {
  await runCmd(['ip', 'netns', 'add', 'mt-leftover']);
  const stray = spawn('ip', ['netns', 'exec', 'mt-leftover', 'sleep', '600'], { stdio: 'ignore', detached: true });
  stray.unref();
  const stale = path.join(worldsDir(), 'crashed');
  fs.mkdirSync(stale, { recursive: true });
  fs.writeFileSync(path.join(stale, 'state.json'), '{"schema":"broken"');
  try {
    await sleep(200);
    expect(isProcessAlive(stray.pid as number)).toBe(true);
    const up = await runCli(['testbed', 'up', 'small', '--skip', 'phones,backends,sshd']);
    expect(up.stderr).toBe('');
    expect(up.stdout).toMatch(/cleared leftovers: \d+ namespaces, [1-9]\d* processes/);
    expect(isProcessAlive(stray.pid as number)).toBe(false);
    expect(await mtNamespaces()).not.toContain('mt-leftover');
    expect(fs.existsSync(stale)).toBe(false);
    // the new world works: Poland still reaches Spain
    const st = JSON.parse(fs.readFileSync(stateFile('small'), 'utf8')) as WorldState;
    const es = st.nodes.find((n) => n.id === 'es-mad')?.address as string;
    expect((await runCli(['testbed', 'exec', 'pl-waw', '--', 'ping', '-c', '1', '-W', '2', es])).code).toBe(0);
    expect((await runCli(['testbed', 'down'])).code).toBe(0);
    await expectNothingLeft();
  } finally {
    if (stray.pid && isProcessAlive(stray.pid)) process.kill(stray.pid, 'SIGKILL');
    await runCmd(['ip', 'netns', 'del', 'mt-leftover']);
  }
});
