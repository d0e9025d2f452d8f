import { spawnSync } from 'child_process';

/**
 * The suite leaves no adb server behind that it started: world tests connect the virtual phones
 * through the root namespace's adb server (as a controller's adb does), and `matador testbed down`
 * leaves that daemon running, as it would on a real controller. An adb server that was already
 * running before the suite (globalSetup noted it) belongs to someone else and stays.
 */
export function adbServerListening(): boolean {
  const ss = spawnSync('ss', ['-Hltn', 'sport = :5037'], { encoding: 'utf8' });
  return ss.status === 0 && ss.stdout.trim() !== '';
}

export const ADB_BEFORE_ENV = 'MATADOR_TEST_ADB_SERVER_BEFORE';

export default function globalTeardown(): void {
  if (process.env[ADB_BEFORE_ENV] !== '0' || !adbServerListening()) return;
  const killed = spawnSync('adb', ['kill-server'], { encoding: 'utf8', timeout: 15_000 });
  if (killed.status !== 0) process.stderr.write(`\n[global-teardown] adb kill-server failed (${killed.status}): ${killed.stderr}\n`);
}
