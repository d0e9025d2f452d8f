/** Small process helpers for the world: argv-only execution (no shell), stdin input, a pool. */
import { spawn } from 'child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv[0] with argv[1..]; never through a shell. Rejects on non-zero exit unless `allowFail`. */
export function run(argv: string[], opts: { input?: string; allowFail?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`${argv.join(' ')}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const rc = code ?? (signal ? 128 : 1);
      if (rc !== 0 && !opts.allowFail) {
        reject(new Error(`${argv.slice(0, 6).join(' ')}${argv.length > 6 ? ' ...' : ''} failed (exit ${rc}${signal ? `, ${signal}` : ''}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      } else resolve({ code: rc, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // the command may exit before reading all input
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs `fn` over `items` with at most `limit` at a time; rejects with the first error after all settle. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let firstError: unknown = null;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]);
      } catch (err) {
        if (firstError === null) firstError = err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstError !== null) throw firstError;
  return results;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

