/**
 * Is a process still running? The one check the CLI (server, workers), the emulated world
 * (testbed/world, testbed/sshd.ts) and the tests use. Signals nothing: signal 0 only asks.
 */
import * as fs from 'fs';

/**
 * Running: the pid exists (also when it belongs to another user, EPERM) and is no zombie waiting
 * to be reaped (a zombie runs nothing and holds no port). Without /proc the pid's existence decides.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^State:\s*Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return !fs.existsSync('/proc/self'); // gone in between; or no /proc at all: it existed
  }
}
