/**
 * Whole-corpus comparison with tshark (slow: one tshark run per file, ~4 minutes), for the
 * record rather than for every test run: how many corpus files give exactly tshark's
 * tcp.stream/udp.stream conversations. Usage:
 *   npx tsx test/capture/corpus-vs-tshark.ts [FILE...]      (VERBOSE=1 shows differences)
 */
import * as fs from 'fs';
import * as path from 'path';
import { sharedDir } from '../../lib/project-paths';
import { extractFlows } from '../../lib/capture';
import { asConversations, conversationLines, tsharkConversations } from './tshark-conversations';

const CORPUS = path.join(sharedDir, 'corpus', 'tcpdump-tests');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const files = args.length > 0 ? args : fs.readdirSync(CORPUS).filter((n) => /\.pcap(ng)?$/.test(n)).sort();
  let same = 0;
  let unreadableByTshark = 0;
  let neither = 0;
  const differing: string[] = [];
  for (const name of files) {
    const file = path.isAbsolute(name) ? name : path.join(CORPUS, name);
    let theirs: string[];
    try {
      theirs = conversationLines(await tsharkConversations(file));
    } catch {
      unreadableByTshark++;
      continue;
    }
    let ours: string[];
    try {
      ours = conversationLines(asConversations((await extractFlows(fs.createReadStream(file))).flows));
    } catch (err) {
      ours = [`error: ${(err as Error).message}`];
    }
    if (theirs.length === 0 && ours.length === 0) {
      neither++;
    } else if (JSON.stringify(theirs) === JSON.stringify(ours)) {
      same++;
    } else {
      differing.push(path.basename(file));
      if (process.env.VERBOSE) {
        process.stdout.write(`== ${path.basename(file)}\n  tshark only: ${theirs.filter((l) => !ours.includes(l)).slice(0, 5).join('\n               ')}\n`);
        process.stdout.write(`  ours only:   ${ours.filter((l) => !theirs.includes(l)).slice(0, 5).join('\n               ')}\n`);
      }
    }
  }
  process.stdout.write(
    `${files.length} files: ${same} identical to tshark, ${differing.length} differ, ${neither} without TCP/UDP on either side, ${unreadableByTshark} tshark cannot read\n`,
  );
  if (differing.length > 0) process.stdout.write(`differing: ${differing.join(' ')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
