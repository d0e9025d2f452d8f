import * as fs from 'fs';
import type { Command } from 'commander';
import { CaptureFormatError, extractFlows, fileChunks, type FlowsResult } from '../../lib/capture';
import type { FlowsReport } from '../../lib/types';
import { escapeText } from '../../lib/text/escape';
import { CliError } from '../errors';

/** `matador flows CAPTURE [--json]`: the TCP/UDP conversations of a pcap/pcapng file (DESIGN 4.4). */
export function register(program: Command): void {
  program
    .command('flows')
    .description(
      'list the TCP and UDP flows of a capture (pcap or pcapng): one per TCP connection (a reused ' +
        "port after a close is a new flow) and one per UDP address/port pair, as Wireshark's " +
        "tcp.stream/udp.stream count them. Client = the side that sent first; bytes = original frame " +
        'lengths of both directions. Also shows the TLS server name (SNI) and DNS names of servers.',
    )
    .argument('<capture>', 'capture file written by tcpdump, dumpcap, Wireshark, ... (pcap or pcapng)')
    .option('--json', 'print the flows JSON of DESIGN 4.4 (file, format, packets, flows) plus extras: dns, stats, cutShort')
    .option('--no-names', 'skip DNS answer and TLS SNI extraction')
    .addHelpText(
      'after',
      '\nExamples:\n  matador flows router-a.pcap\n  matador flows --json capture.pcapng > flows.json\n\n' +
        'Unreadable files exit with status 1 and one line: matador: <file>: <what is wrong>.',
    )
    .action(async (capture: string, options: { json?: boolean; names: boolean }) => {
      // `matador flows big.pcap | head` closes the pipe early: that is not an error.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
      });
      const result = await readCapture(capture, options.names);
      const report: FlowsReport = { file: capture, format: result.format, packets: result.packets, flows: result.flows, dns: result.dns, stats: result.stats };
      if (result.cutShort) report.cutShort = result.cutShort;
      if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(renderTable(capture, result));
    });
}

async function readCapture(file: string, names: boolean): Promise<FlowsResult> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new CliError(`${file}: ${describeIoError(err)}`);
  }
  if (stat.isDirectory()) throw new CliError(`${file}: is a directory, not a capture file`);
  if (!stat.isFile() && !stat.isFIFO()) throw new CliError(`${file}: not a regular file`);
  try {
    return await extractFlows(fileChunks(file), { names });
  } catch (err) {
    if (err instanceof CaptureFormatError) throw new CliError(`${file}: ${err.message}`);
    if ((err as NodeJS.ErrnoException).code) throw new CliError(`${file}: ${describeIoError(err)}`);
    throw new CliError(`${file}: cannot read capture: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function describeIoError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a capture file';
  return err instanceof Error ? err.message : String(err);
}

function renderTable(file: string, result: FlowsResult): string {
  const header = ['#', 'proto', 'client', 'server', 'packets', 'bytes', 'first seen', 'duration', 'name'];
  const rows = result.flows.map((f, i) => {
    const duration = isoSeconds(f.lastSeen) - isoSeconds(f.firstSeen);
    const names = [f.sni, ...(f.serverNames ?? [])].filter((n, k, all): n is string => !!n && all.indexOf(n) === k);
    return [
      String(i),
      f.protocol,
      endpoint(f.client.ip, f.client.port),
      endpoint(f.server.ip, f.server.port),
      String(f.packets),
      String(f.bytes),
      f.firstSeen,
      Number.isFinite(duration) ? `${duration.toFixed(6)}s` : '?',
      names.map(escapeText).join(', '), // server names come from the traffic: never raw to a terminal
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const right = new Set([0, 4, 5, 7]);
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const s = result.stats;
  const skipped = Object.entries(s.skippedLinkTypes).map(([type, n]) => `${n} of link type ${type}`);
  const notes = [
    `${file}: ${result.format}, ${result.packets} packets, ${result.flows.length} flows (${s.inFlows} packets in flows)`,
    `not in flows: ${s.otherProtocols} other protocols, ${s.shortHeaders} with headers cut off, ${s.fragments} fragments (${s.reassembled} datagrams reassembled)` +
      (skipped.length ? `, ${skipped.join(', ')} skipped` : '') +
      (s.orphanRecords ? `, ${s.orphanRecords} records of unknown interfaces` : ''),
    `${s.truncated} packets truncated by the snap length; ${result.dns.length} names in DNS answers`,
  ];
  if (result.cutShort) notes.push(`warning: ${escapeText(result.cutShort)}`);
  return [line(header), ...rows.map(line), '', ...notes, ''].join('\n');
}

/** Seconds since the epoch of an ISO stamp, keeping the sub-millisecond digits Date drops. */
function isoSeconds(iso: string): number {
  const match = /^(.*?)(?:\.(\d+))?Z$/.exec(iso);
  if (!match) return NaN;
  return Date.parse(`${match[1]}Z`) / 1000 + (match[2] ? Number(`0.${match[2]}`) : 0);
}

function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
