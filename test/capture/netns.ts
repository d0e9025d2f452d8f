/**
 * Two network namespaces joined by a veth pair, for capture tests (prefix mtcap-, addresses
 * 198.19.200.0/24 and 2001:db8:c0::/48 only). Everything created here is removed by destroy(),
 * which the tests call in afterAll, also when a step failed.
 */
import { type ChildProcess, execFile, spawn } from 'child_process';
import { promisify } from 'util';

const run = promisify(execFile);

export interface NamespacePair {
  a: string;
  b: string;
  /** Interface name inside each namespace. */
  device: string;
  addresses: { a4: string; b4: string; a6: string; b6: string };
}

export async function createPair(tag: string): Promise<NamespacePair> {
  const pair: NamespacePair = {
    a: `mtcap-${tag}-a`,
    b: `mtcap-${tag}-b`,
    device: 'mtcap0',
    addresses: { a4: '198.19.200.1', b4: '198.19.200.2', a6: '2001:db8:c0::1', b6: '2001:db8:c0::2' },
  };
  await destroyPair(pair); // leftovers of a crashed earlier run with the same tag
  await ip(['netns', 'add', pair.a]);
  await ip(['netns', 'add', pair.b]);
  await ip(['link', 'add', pair.device, 'netns', pair.a, 'type', 'veth', 'peer', 'name', pair.device, 'netns', pair.b]);
  for (const [ns, v4, v6] of [
    [pair.a, pair.addresses.a4, pair.addresses.a6],
    [pair.b, pair.addresses.b4, pair.addresses.b6],
  ]) {
    await ip(['-n', ns, 'addr', 'add', `${v4}/24`, 'dev', pair.device]);
    await ip(['-n', ns, 'addr', 'add', `${v6}/64`, 'dev', pair.device, 'nodad']);
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    await ip(['-n', ns, 'link', 'set', pair.device, 'up']);
  }
  return pair;
}

export async function destroyPair(pair: NamespacePair): Promise<void> {
  for (const ns of [pair.a, pair.b]) {
    await ip(['netns', 'delete', ns]).catch(() => undefined); // absent is fine
  }
}

async function ip(args: string[]): Promise<void> {
  await run('ip', args);
}

/** Run a command inside a namespace to completion; rejects with its stderr on failure. */
export async function execIn(ns: string, argv: string[], timeoutMs = 30000): Promise<{ stdout: string; stderr: string }> {
  return run('ip', ['netns', 'exec', ns, ...argv], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
}

/** A long-running process inside a namespace; resolves once `readyPattern` shows on stderr/stdout. */
export async function startIn(ns: string, argv: string[], readyPattern: RegExp, timeoutMs = 10000): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${argv[0]} in ${ns} not ready after ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    const onData = (data: Buffer): void => {
      output += data.toString();
      if (readyPattern.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv[0]} in ${ns} exited (${code}) before ready: ${output}`));
    });
  });
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/** Stop a process started by startIn (SIGINT lets tcpdump/dumpcap flush) and wait for it. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
