/**
 * Flows benchmark: synthesize an ~80 MB pcap (bench/out/, deleted afterwards unless --keep), or
 * take an existing capture (--capture FILE, e.g. one of fresh traffic), then time, as separate
 * processes, in one run,
 *   - ours:    bin/matador flows FILE --json > /dev/null
 *   - tshark:  tshark -q -z conv,tcp -z conv,udp -r FILE
 *   - tcpdump: tcpdump -r FILE -w /dev/null          (the read floor)
 * plus, to tell reader cost from CLI start-up, the library alone in a bare node process and
 * `matador --help`.
 * and print wall times, peak memory (maximum resident set, from /usr/bin/time -v) and the two
 * ratios of issue 15: tshark's time over ours (goal >= 5) and ours over the read floor (goal <= 5).
 * Usage: npx tsx bench/flows/run.ts [--size-mb N] [--runs N (7)] [--keep] [--capture FILE]
 * Needs dist/ built (npm run build) for bin/matador.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../../lib/project-paths';
import { arg } from '../args';
import { synthesizeCapture } from './synthesize';

interface Timing {
  seconds: number;
  maxRssKb: number;
}

function timeProcess(argv: string[]): Timing {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-v', ...argv], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stderr = result.stderr.toString();
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status}): ${stderr.slice(-500)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return { seconds, maxRssKb: rss ? Number(rss[1]) : NaN };
}

/** The best of `runs` runs of each command, run in turns (one of each, then again), so that
 *  load from outside slows all of them alike and the ratios stay meaningful on a busy machine. */
function bestInTurns<K extends string>(commands: Record<K, string[]>, runs: number): Record<K, Timing> {
  const names = Object.keys(commands) as K[];
  const best = {} as Record<K, Timing>;
  for (let run = 0; run < runs; run++) {
    for (const name of names) {
      const t = timeProcess(commands[name]);
      if (!best[name] || t.seconds < best[name].seconds) best[name] = t;
    }
  }
  return best;
}

/** The bench's own capture, checked against what was synthesized; or the one given. */
function prepareCapture(file: string, synthesize: boolean, sizeMb: number, bin: string): void {
  if (!synthesize) {
    const report = JSON.parse(execFileSync(bin, ['flows', file, '--json'], { maxBuffer: 1024 * 1024 * 1024 }).toString()) as { packets: number; flows: unknown[] };
    console.log(`capture: ${file}: ${(fs.statSync(file).size / 1048576).toFixed(1)} MiB, ${report.packets} packets, ${report.flows.length} flows`);
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const t0 = Date.now();
  const synth = synthesizeCapture(file, sizeMb * 1024 * 1024);
  console.log(`capture: ${file}: ${(synth.bytes / 1048576).toFixed(1)} MiB, ${synth.packets} packets, ${synth.tcpFlows} TCP + ${synth.udpFlows} UDP flows (written in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  // Correctness first: the flow count must be what was synthesized.
  const report = JSON.parse(execFileSync(bin, ['flows', file, '--json'], { maxBuffer: 1024 * 1024 * 1024 }).toString()) as { packets: number; flows: Array<{ protocol: string }> };
  const tcp = report.flows.filter((f) => f.protocol === 'tcp').length;
  const udp = report.flows.length - tcp;
  if (report.packets !== synth.packets || tcp !== synth.tcpFlows || udp !== synth.udpFlows) {
    throw new Error(`wrong result: ${report.packets} packets, ${tcp} TCP, ${udp} UDP flows`);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep');
  const sizeMb = Number(arg('--size-mb', '80'));
  const runs = Number(arg('--runs', '7'));
  const given = arg('--capture', '');
  const bin = path.join(projectRoot, 'bin', 'matador');
  const file = given || path.join(projectRoot, 'bench', 'out', 'flows-bench.pcap');
  try {
    prepareCapture(file, !given, sizeMb, bin);
    // The same reading in a bare node process: separates our reader from the CLI's start-up.
    const library = path.join(projectRoot, 'dist', 'lib', 'capture', 'index.js');
    const bareScript = `const c = require(${JSON.stringify(library)}); c.extractFlows(c.fileChunks(process.argv[1])).then((r) => JSON.stringify(r))`;
    const { ours, bare, startup, node, tshark, tcpdump } = bestInTurns(
      {
        ours: [process.execPath, bin, 'flows', file, '--json'], // stdout ignored = /dev/null
        bare: [process.execPath, '-e', bareScript, file],
        startup: [process.execPath, bin, 'flows', '--help'],
        node: [process.execPath, '-e', '0'],
        tshark: ['tshark', '-q', '-z', 'conv,tcp', '-z', 'conv,udp', '-r', file],
        tcpdump: ['tcpdump', '-r', file, '-w', '/dev/null'],
      },
      runs,
    );
    const row = (name: string, t: Timing): string =>
      `${name.padEnd(36)} ${t.seconds.toFixed(3).padStart(7)} s  ${(t.maxRssKb / 1024).toFixed(0).padStart(5)} MiB  ${(t.seconds / ours.seconds).toFixed(2).padStart(6)}x ours`;
    console.log(`best of ${runs} runs each, taken in turns (wall time, peak RSS of that run, time relative to ours):`);
    console.log(row('matador flows --json', ours));
    console.log(row('library only (bare node process)', bare));
    console.log(row('matador flows --help (CLI start-up)', startup));
    console.log(row('node -e 0 (node start-up)', node));
    console.log(row('tshark -z conv,tcp -z conv,udp', tshark));
    console.log(row('tcpdump -r -w /dev/null (read floor)', tcpdump));
    const vsTshark = tshark.seconds / ours.seconds;
    const vsFloor = ours.seconds / tcpdump.seconds;
    console.log(`vs tshark: ours is ${vsTshark.toFixed(2)}x faster (goal >= 5x: ${vsTshark >= 5 ? 'met' : 'NOT met'})`);
    console.log(`vs read floor: ours takes ${vsFloor.toFixed(2)}x the floor's time (goal <= 5x: ${vsFloor <= 5 ? 'met' : 'NOT met'})`);
    console.log(`peak RSS: ours ${(ours.maxRssKb / 1024).toFixed(0)} MiB, tshark ${(tshark.maxRssKb / 1024).toFixed(0)} MiB, tcpdump ${(tcpdump.maxRssKb / 1024).toFixed(0)} MiB`);
  } finally {
    if (!given) {
      if (!keep) fs.rmSync(file, { force: true });
      else console.log(`kept ${file}`);
    }
  }
}

main();
