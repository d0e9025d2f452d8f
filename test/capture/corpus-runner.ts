/**
 * Reads capture files one after another in this one process, through the library (no CLI
 * spawn per file), and prints one JSON line per file as soon as it is done, so the parent test
 * can guard each file with a timeout. Usage: node --import tsx corpus-runner.ts FILE...
 */
import * as fs from 'fs';
import { extractFlows } from '../../lib/capture';

export interface CorpusLine {
  file: string;
  ok: boolean;
  packets?: number;
  flows?: number;
  cutShort?: string;
  errorName?: string;
  error?: string;
  ms: number;
}

async function main(): Promise<void> {
  for (const file of process.argv.slice(2)) {
    const started = Date.now();
    let line: CorpusLine;
    try {
      const result = await extractFlows(fs.createReadStream(file));
      line = { file, ok: true, packets: result.packets, flows: result.flows.length, cutShort: result.cutShort, ms: Date.now() - started };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      line = { file, ok: false, errorName: e.name, error: e.message, ms: Date.now() - started };
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`corpus runner crashed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(3);
});
