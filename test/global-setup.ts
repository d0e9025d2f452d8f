import { execFileSync } from 'child_process';
import * as path from 'path';

/** Tests that spawn `bin/matador` need dist/ in step with the sources: build incrementally once. */
export default function globalSetup(): void {
  if (process.env.MATADOR_SKIP_BUILD === '1') return;
  const root = path.resolve(__dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'], {
    cwd: root,
    stdio: 'inherit',
  });
}
