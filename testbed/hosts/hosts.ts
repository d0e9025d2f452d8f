/**
 * Several hosts on this machine (test/multihost, bench/multihost): the central host is the root
 * namespace (Temporal frontend, central worker); each testbed host is a network namespace
 * (./network.ts) with what a real host next to its phones and routers has:
 *
 * - its own data folder, and nothing else's: every worker runs in its own mount namespace in
 *   which every other host's data folder (and the checkout's default .matador) is covered by an
 *   empty read-only tmpfs. A step that assumed a shared filesystem fails loudly (ENOENT, EROFS).
 * - the world's state, read-only, at `<its data folder>/world`: the emulated lab (testbed/lab.ts)
 *   finds routers, nodes, phones and ssh keys there, as a real testbed host holds its lab's
 *   addresses and keys. The world's own folder (where `matador testbed up` wrote it) stays the
 *   lab's: the hosts see it through a read-only bind mount, so none of them can change it. The
 *   central host gets the same view: its geolocate step reads the world's address plan
 *   (corrections, PeeringDB dump) as it reads a real lab's corrections from its configs.
 * - its own adb server and a "USB cable" to each of its phones (./testbed-host.ts).
 *
 * Every process is started here and killed by PID; sweepHosts() removes what a crashed run left.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../../lib/project-paths';
import type { WorldState } from '../world/state';
import type { HostsFrontend } from './frontend';
import { createHostsNetwork, hostNetns, pidsIn, sweepHostsNetwork } from './network';
import { assertSafe, equipTestbedHost } from './testbed-host';

export { CENTRAL_ADDRESS, hostNetns } from './network';

/** Temp folders of the hosts: /tmp/matador-mth-XXXXXX (swept by prefix). */
const TMP_PREFIX = 'matador-mth-';
const MATADOR = path.join(projectRoot, 'bin', 'matador');

/**
 * Runs in a fresh mount namespace (`unshare --mount --propagation private`): applies the mount
 * steps given as arguments, then execs the command after `--`. Constant text: every path reaches
 * it as an argument, never as shell code.
 */
const MOUNT_STEPS_SCRIPT = `set -e
while [ "$1" != "--" ]; do
  case "$1" in
    hide) mount -t tmpfs -o ro,size=4k,mode=0555 matador-hidden "$2"; shift 2 ;;
    ro-bind) mount --bind "$2" "$3"; mount -o remount,bind,ro "$3"; shift 3 ;;
    *) echo "mount step: unknown $1" >&2; exit 2 ;;
  esac
done
shift
exec "$@"`;

export interface HostWorker {
  role: 'central' | 'testbed';
  testbed?: string;
  child: ChildProcess;
  logFile: string;
}

export interface Hosts {
  root: string;
  /** The world's folder (MATADOR_DATA_DIR of `matador testbed up`). */
  worldDir: string;
  centralDir: string;
  testbedDir(testbed: string): string;
  testbeds: string[];
  /** The frontend the workers connect to (./frontend.ts); with TLS each testbed host gets a
   *  copy of the client files in its own folder. Call once it is up, before startWorker. */
  useFrontend(frontend: HostsFrontend): void;
  /** Starts `matador worker` for the central host or a testbed host; resolves once it is connected. */
  startWorker(role: 'central' | 'testbed', testbed?: string): Promise<HostWorker>;
  /** SIGKILL (a crashed host), waits for the exit. */
  kill(worker: HostWorker): Promise<void>;
  /** Runs argv on a host ('central' or a testbed id) as its worker runs: its network and mount
   *  namespace, its data folder in MATADOR_DATA_DIR. `bin/matador` for `matador ARGS`. */
  run(host: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** PIDs running in a testbed host's namespace, and what each is (its argv[0] basename). */
  processesOf(testbed: string): Promise<Array<{ pid: number; name: string }>>;
  teardown(): Promise<void>;
}

/** A host's environment: its data folder, and the results store in it (the default). */
function hostEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MATADOR_DATA_DIR: dataDir };
  delete env.MATADOR_RESULTS_DB;
  return env;
}

/** Runs every step, also when an earlier one fails; throws the first failure at the end. */
export async function releaseEach(steps: Array<() => unknown>): Promise<void> {
  const outcomes: PromiseSettledResult<unknown>[] = [];
  for (const step of steps) outcomes.push(...(await Promise.allSettled([Promise.resolve().then(step)])));
  const failed = outcomes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}


/** A data folder and the folders around it: hides every other host's, binds the world in. */
function mountSteps(own: string, others: string[], worldDir: string): string[] {
  const defaultData = path.join(projectRoot, '.matador');
  const hidden = [...others, ...(fs.existsSync(defaultData) ? [defaultData] : [])];
  return [...hidden.flatMap((d) => ['hide', assertSafe(d)]), 'ro-bind', assertSafe(path.join(worldDir, 'world')), assertSafe(path.join(own, 'world'))];
}

/** Resolves when `child` printed `marker` on stdout (also copies both streams to `logFile`). */
function readyOn(child: ChildProcess, marker: string, logFile: string, label: string, timeoutMs = 120_000): Promise<void> {
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    log.write(d);
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    log.write(d);
  });
  child.once('exit', () => log.end());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: not ready after ${timeoutMs} ms: ${err.slice(-2000)}`)), timeoutMs);
    const check = (): void => {
      if (out.includes(marker)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code ?? signal}) before ready: ${err.slice(-2000)}`));
    });
  });
}

async function waitExit(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      try {
        child.kill('SIGKILL');
      } catch {
        // gone
      }
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function readWorld(worldDir: string, world: string): WorldState {
  const file = path.join(worldDir, 'world', world, 'state.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as WorldState;
}

/**
 * Lays out the hosts for `testbeds` of `world` (up, its state under `worldDir`); the caller starts
 * the frontend on the central host (./frontend.ts) and hands it to useFrontend(). On failure
 * half-way everything made so far is removed.
 */
export async function layOutHosts(o: { root: string; worldDir: string; world: string; testbeds: string[]; }): Promise<Hosts> {
  const state = readWorld(o.worldDir, o.world);
  const centralDir = path.join(o.root, 'central');
  const testbedDir = (t: string): string => path.join(o.root, `host-${t}`);
  const logsDir = path.join(o.root, 'logs');
  const children: ChildProcess[] = [];
  const workers: HostWorker[] = [];
  let frontend: HostsFrontend | undefined;

  /** argv wrapped to run on `host`: its network namespace (testbed hosts), a mount namespace
   *  that hides every other host's folder, its data folder (and a testbed host's HOME). */
  const onHost = (host: string, argv: string[]): { argv: string[]; env: NodeJS.ProcessEnv } => {
    if (host !== 'central' && !o.testbeds.includes(host)) throw new Error(`hosts: no host ${JSON.stringify(host)} (have central, ${o.testbeds.join(', ')})`);
    const own = host === 'central' ? centralDir : testbedDir(host);
    const others = [centralDir, ...o.testbeds.map(testbedDir)].filter((d) => d !== own);
    const inMountNs = ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', MOUNT_STEPS_SCRIPT, 'mount-steps', ...mountSteps(own, others, o.worldDir), '--', ...argv];
    return {
      argv: host === 'central' ? inMountNs : ['ip', 'netns', 'exec', hostNetns(host), ...inMountNs],
      env: { ...hostEnv(own), ...(host === 'central' ? {} : { HOME: path.join(own, 'home') }) },
    };
  };

  const startChild = (argv: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess => {
    const child = spawn(argv[0], argv.slice(1), { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return child;
  };

  const hosts: Hosts = {
    root: o.root,
    worldDir: o.worldDir,
    centralDir,
    testbedDir,
    testbeds: o.testbeds,
    useFrontend(f) {
      if (f.tls) for (const t of o.testbeds) copyClientTls(f.tls, path.join(testbedDir(t), 'tls'));
      frontend = f;
    },
    async startWorker(role, testbed) {
      if (!frontend) throw new Error('hosts: publish the frontend before starting workers');
      const address = role === 'central' ? frontend.centralAddress : frontend.hostsAddress;
      const tls = frontend.tls && role === 'testbed' ? tlsFilesIn(path.join(testbedDir(testbed as string), 'tls')) : frontend.tls;
      const tlsArgs = tls ? ['--tls-cert', tls.cert, '--tls-key', tls.key, '--tls-ca', tls.ca] : [];
      const workerArgs = ['worker', '--role', role, ...(testbed ? ['--testbed', testbed] : []), '--address', address, '--namespace', frontend.namespace, ...tlsArgs];
      const { argv, env } = onHost(role === 'central' ? 'central' : (testbed as string), [process.execPath, MATADOR, ...workerArgs]);
      const child = startChild(argv, env);
      const name = role === 'central' ? 'central' : `testbed-${testbed}`;
      const worker: HostWorker = { role, testbed, child, logFile: path.join(logsDir, `worker-${name}.log`) };
      workers.push(worker);
      await readyOn(child, 'matador worker (', worker.logFile, `worker ${name}`);
      return worker;
    },
    async kill(worker) {
      worker.child.kill('SIGKILL');
      await waitExit(worker.child, 5_000);
    },
    async run(host, command) {
      const { argv, env } = onHost(host, command);
      return new Promise((resolve) => {
        const child = spawn(argv[0], argv.slice(1), { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.once('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      });
    },
    async processesOf(testbed) {
      const out: Array<{ pid: number; name: string }> = [];
      for (const pid of await pidsIn(hostNetns(testbed))) {
        try {
          const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
          out.push({ pid, name: path.basename(argv0) });
        } catch {
          // exited meanwhile
        }
      }
      return out;
    },
    async teardown() {
      await releaseEach([
        ...workers.map((w) => () => {
          w.child.kill('SIGTERM');
          return waitExit(w.child, 10_000);
        }),
        ...children.map((c) => () => {
          c.kill('SIGKILL');
          return waitExit(c, 5_000);
        }),
        () => sweepHostsNetwork(),
        // The USB cables' phone ends and their forked children name their host's folder.
        () => killProcessesNaming([centralDir, ...o.testbeds.map(testbedDir)]),
      ]);
    },
  };

  try {
    for (const dir of [centralDir, logsDir, ...o.testbeds.map(testbedDir)]) fs.mkdirSync(dir, { recursive: true });
    for (const dir of [centralDir, ...o.testbeds.map(testbedDir)]) fs.mkdirSync(path.join(dir, 'world'), { recursive: true });
    await createHostsNetwork(o.testbeds);
    for (const t of o.testbeds) {
      const tb = state.testbeds.find((x) => x.id === t);
      if (!tb) throw new Error(`world ${o.world} has no testbed ${t} (have ${state.testbeds.map((x) => x.id).join(', ')})`);
      await equipTestbedHost({ dir: testbedDir(t), netns: hostNetns(t), phones: [tb.sides.A.phone, tb.sides.B.phone], start: startChild });
    }
  } catch (err) {
    await hosts.teardown().catch(() => undefined);
    throw err;
  }
  return hosts;
}

/** The client files as a testbed host keeps them (copied from the central host). */
function tlsFilesIn(dir: string): { cert: string; key: string; ca: string } {
  return { cert: path.join(dir, 'client.pem'), key: path.join(dir, 'client.key'), ca: path.join(dir, 'ca.pem') };
}

function copyClientTls(from: { cert: string; key: string; ca: string }, dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const to = tlsFilesIn(dir);
  fs.copyFileSync(from.cert, to.cert);
  fs.copyFileSync(from.ca, to.ca);
  fs.copyFileSync(from.key, to.key);
  fs.chmodSync(to.key, 0o600);
}

/** A fresh root folder for the hosts (/tmp/matador-mth-XXXXXX). */
export function hostsRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), TMP_PREFIX));
}

/**
 * Everything a crashed run of the hosts left: the network (./network.ts), root-namespace
 * processes whose command line names one of our temp folders (the USB cables' phone ends),
 * and the temp folders themselves.
 */
export async function sweepHosts(): Promise<void> {
  await sweepHostsNetwork();
  const ours = leftoverHostsRoots();
  killProcessesNaming(ours);
  for (const d of ours) fs.rmSync(d, { recursive: true, force: true });
}

/** Root folders of earlier runs (a crashed one's world must go down before they are removed). */
export function leftoverHostsRoots(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith(TMP_PREFIX)).map((d) => path.join(os.tmpdir(), d));
}

/** SIGKILLs every process whose command line names a path inside one of `roots` (by PID). */
function killProcessesNaming(roots: string[]): void {
  if (roots.length === 0) return;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (Number(pid) !== process.pid && roots.some((d) => cmdline.includes(`${d}/`))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}
