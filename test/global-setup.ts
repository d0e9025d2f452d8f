import { spawnSync } from 'child_process';
import * as path from 'path';
import { ADB_BEFORE_ENV, adbServerListening } from './global-teardown';

/**
 * Tests that spawn `bin/matador` need dist/ in step with the sources: build incrementally once.
 * Type errors do not stop the emit (tsc exit 2); they are reported by the type-check step of
 * scripts/test, so here they are only a warning.
 */
export default function globalSetup(): void {
  process.env[ADB_BEFORE_ENV] = adbServerListening() ? '1' : '0';
  if (process.env.MATADOR_SKIP_BUILD === '1') return;
  const root = path.resolve(__dirname, '..');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status === 0) return;
  if (result.status === 2) {
    process.stderr.write(`\n[global-setup] dist/ built with type errors:\n${result.stdout}\n`);
    return;
  }
  throw new Error(`[global-setup] TypeScript build failed (exit ${result.status}): ${result.stdout}${result.stderr}`);
}
