/**
 * Several hosts on one machine (issue 13, item 5): the Temporal frontend and the central worker
 * in the root namespace (the central host), each testbed's worker in its own network namespace
 * (a testbed host) reaching the frontend over a veth pair, its phones through its own adb server
 * and its routers and nodes through the world's management link (testbed/hosts/hosts.ts). Every
 * worker runs in a mount namespace where the other hosts' data folders are empty read-only
 * tmpfs: the central worker cannot read a testbed's folder, nor a testbed worker the central one.
 * Real world "small" with two testbeds, real sshd/tcpdump/scamper/adb, real steps.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { RunOptions } from '../../lib/measurement/payloads';
import { projectRoot } from '../../lib/project-paths';
import { MATADOR } from '../support/matador-cli';
import { tunnelLeftovers } from '../e2e/helpers';
import { artefactProblems, sha256sUnder, storedAttempts, testbedStepRunning } from '../support/hosts-checks';
import { hostChains, hostLinks, hostNamespaces } from '../../testbed/hosts/network';
import { startHostsSession, type HostsSession } from '../../testbed/hosts/session';

jest.setTimeout(300_000);

const TESTBEDS = ['tb1', 'tb2'];
const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'multihost');

let session: HostsSession | undefined;
const s = (): HostsSession => {
  if (!session) throw new Error('the several-hosts session is not up');
  return session;
};

beforeAll(async () => {
  // The production-shaped frontend: Temporal server + PostgreSQL, mutual TLS (testbed/hosts/frontend.ts).
  session = await startHostsSession({ world: 'small', testbeds: TESTBEDS, frontend: 'cluster-tls' });
}, 420_000);

afterAll(() => session?.stop(), 240_000);

const runCampaign = (campaign: string, file: string, options?: RunOptions) => s().startCampaign(campaign, path.join(FIXTURES, file), options);

const resultsFile = (): string => s().resultsFile;

/** Each measurement once in the results store: one attempt row, status ok. */
function notStoredOnce(campaign: string, expected: number): string[] {
  const stored = storedAttempts(resultsFile(), campaign);
  const problems = [...stored].filter(([, rows]) => rows.length !== 1 || rows[0].status !== 'ok').map(([id, rows]) => `${id}: ${rows.map((r) => `attempt ${r.attempt} ${r.status}`).join(', ')}`);
  if (stored.size !== expected) problems.push(`${stored.size} measurements stored, expected ${expected}`);
  return problems;
}

const latestRecordsOf = (campaign: string) => [...storedAttempts(resultsFile(), campaign).values()].map((rows) => rows[rows.length - 1].record);

describe('several hosts: each host sees only its own data folder', () => {
  it("the central host finds a testbed host's folder empty and read-only, and a testbed host the central one", async () => {
    const h = s().hosts;
    fs.writeFileSync(path.join(h.testbedDir('tb1'), 'written-on-tb1'), 'tb1');
    fs.writeFileSync(path.join(h.centralDir, 'written-centrally'), 'central');
    // The files exist (this process sees every folder), but not from the other hosts.
    expect((await h.run('central', ['ls', '-A', h.testbedDir('tb1')])).stdout).toBe('');
    expect((await h.run('central', ['cat', path.join(h.testbedDir('tb1'), 'written-on-tb1')])).code).not.toBe(0);
    expect((await h.run('central', ['touch', path.join(h.testbedDir('tb2'), 'x')])).stderr).toMatch(/Read-only file system/);
    expect((await h.run('tb1', ['ls', '-A', h.centralDir])).stdout).toBe('');
    expect((await h.run('tb1', ['ls', '-A', h.testbedDir('tb2')])).stdout).toBe('');
    expect((await h.run('tb1', ['cat', path.join(h.testbedDir('tb1'), 'written-on-tb1')])).stdout).toBe('tb1');
    // The world's state, read-only, in every host's own folder.
    expect((await h.run('tb2', ['ls', path.join(h.testbedDir('tb2'), 'world')])).stdout.trim()).toBe('small');
    expect((await h.run('central', ['touch', path.join(h.centralDir, 'world', 'x')])).stderr).toMatch(/Read-only file system/);
    // TLS: each testbed host holds its copy of the client files, the key 0600; the CA's key stays central.
    expect(fs.statSync(path.join(h.testbedDir('tb1'), 'tls', 'client.key')).mode & 0o777).toBe(0o600);
    expect((await h.run('tb1', ['ls', path.join(h.testbedDir('tb1'), 'tls')])).stdout.split('\n').filter(Boolean).sort()).toEqual(['ca.pem', 'client.key', 'client.pem']);
  });
});

describe('several hosts: a campaign completes with every artefact central', () => {
  it('runs a measurement on each of two testbed hosts; each stored once; every artefact in the central folder with its sha256', async () => {
    const { summary } = await runCampaign('mh-artefacts', 'artefacts.yaml');
    expect(await summary).toMatchObject({ campaign: 'mh-artefacts', total: 2, ok: 2, failed: 0 });
    expect(notStoredOnce('mh-artefacts', 2)).toEqual([]);
    const records = latestRecordsOf('mh-artefacts');
    expect(new Set(records.map((r) => r.testbed))).toEqual(new Set(TESTBEDS));
    expect(artefactProblems(records, s().hosts.centralDir)).toEqual([]);
  });

  it('matador artefacts get retrieves one measurement\'s artefacts on the central host', async () => {
    const [record] = latestRecordsOf('mh-artefacts');
    const out = path.join(s().hosts.centralDir, 'retrieved');
    const got = await s().hosts.run('central', [process.execPath, MATADOR, 'artefacts', 'get', record.measurementId, '--out', out]);
    expect({ code: got.code, stderr: got.stderr }).toEqual({ code: 0, stderr: '' });
    const listed = ((record.artefacts ?? []) as Array<{ sha256?: string | null }>).map((a) => a.sha256);
    expect(listed.length).toBeGreaterThan(0);
    const retrieved = sha256sUnder(out);
    expect(listed.filter((h) => !h || !retrieved.has(h))).toEqual([]);
  });
});

describe('several hosts: a testbed host\'s worker killed and PostgreSQL stopped for 20 s', () => {
  it('completes every measurement exactly once, every artefact central, nothing left behind', async () => {
    // Timeouts a quarter of the declared ones: the killed worker's step is retried after seconds.
    const { summary, done } = await runCampaign('mh-faults', 'faults.yaml', { timeoutScale: 0.25 });
    // tb2 is sending a message (capture running, phones busy): its host crashes (SIGKILL), a
    // supervisor starts it again.
    const running = await testbedStepRunning(s().client, 'mh-faults', 'tb2', { steps: ['sendMessage'] });
    process.stdout.write(`several hosts: tb2's worker SIGKILLed during ${running.step} of ${running.workflowId}\n`);
    const killed = s().workers.get('tb2')!;
    await s().hosts.kill(killed);
    expect(killed.child.signalCode).toBe('SIGKILL');
    expect(done()).toBe(false);
    s().workers.set('tb2', await s().hosts.startWorker('testbed', 'tb2'));
    // Then the database under Temporal goes away for 20 s (pg_ctl stop -m fast, start).
    const outage = s().frontend.outage;
    if (!outage) throw new Error(`the ${s().frontend.kind} frontend has no PostgreSQL to stop`);
    await outage(20_000);
    expect(await summary).toMatchObject({ campaign: 'mh-faults', total: 3, ok: 3, failed: 0 });
    expect(running.workflowId).toMatch(/^mh-faults\//);
    expect(notStoredOnce('mh-faults', 3)).toEqual([]);
    expect(artefactProblems(latestRecordsOf('mh-faults'), s().hosts.centralDir)).toEqual([]);
    // No tunnel left in the world, and on the crashed host only what a host runs: its adb
    // server, its USB cables and the new worker (nothing of the killed worker's survives).
    const worldNs = TESTBEDS.flatMap((t) => [`mt-${t}-wa`, `mt-${t}-wb`]).concat(['mt-n-ch-zrh', 'mt-n-jp-tyo']);
    expect((await Promise.all(worldNs.map(tunnelLeftovers))).flat()).toEqual([]);
    const onHost = await s().hosts.processesOf('tb2');
    expect(onHost.map((p) => p.pid)).not.toContain(killed.child.pid);
    expect(onHost.filter((p) => !['adb', 'socat'].includes(p.name) && p.pid !== s().workers.get('tb2')!.child.pid)).toEqual([]);
  });
});

describe('several hosts: tear-down', () => {
  it('leaves no namespace, link, chain, process or folder of the hosts behind', async () => {
    const pids = [...s().workers.values()].map((w) => w.child.pid!);
    await s().hosts.teardown();
    expect(await hostNamespaces()).toEqual([]);
    expect(await hostLinks()).toEqual([]);
    expect(await hostChains()).toEqual([]);
    const alive = pids.filter((pid) => fs.existsSync(`/proc/${pid}`));
    expect(alive).toEqual([]);
    const naming = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${s().root}/host-`) || fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${s().root}/central`);
        } catch {
          return false;
        }
      });
    expect(naming).toEqual([]);
  });
});
