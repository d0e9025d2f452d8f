/**
 * argv to run one of our entry modules as a separate node process: the compiled .js when we
 * run from dist/, the .ts source through tsx when we run from source (jest, tsx).
 */
import * as fs from 'fs';
import * as path from 'path';

export function nodeEntryArgv(dir: string, baseName: string): string[] {
  const js = path.join(dir, `${baseName}.js`);
  if (__filename.endsWith('.js') && fs.existsSync(js)) return [process.execPath, js];
  const ts = path.join(dir, `${baseName}.ts`);
  if (!fs.existsSync(ts)) throw new Error(`entry module not found: ${js} or ${ts}`);
  return [process.execPath, '--require', require.resolve('tsx/cjs'), ts];
}
