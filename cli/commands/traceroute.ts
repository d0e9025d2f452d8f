import * as fs from 'fs';
import type { Command } from 'commander';
import { hopInterfaces, parseScamperJson, parseTracerouteText, TraceParseError, type ParsedTrace } from '../../lib/traceroute';
import { escapeText } from '../../lib/text/escape';
import type { Protocol } from '../../lib/types';
import { CliError } from '../errors';

export type TraceFormat = 'auto' | 'traceroute' | 'scamper-json';

export interface TraceParseOptions {
  format: TraceFormat;
  json: boolean;
  protocol: Protocol;
}

const FORMATS: readonly TraceFormat[] = ['auto', 'traceroute', 'scamper-json'];
const PROTOCOLS: readonly Protocol[] = ['udp', 'tcp', 'icmp'];

/** scamper writes one JSON object a line; every traceroute dialect starts with text. */
export function detectFormat(text: string): Exclude<TraceFormat, 'auto'> {
  const first = text.split('\n').find((line) => line.trim() !== '') ?? '';
  return first.trimStart().startsWith('{') ? 'scamper-json' : 'traceroute';
}

/** The traces of one file; a file the parsers cannot read is one CliError naming file and line. */
export function parseTraceFile(file: string, text: string, options: TraceParseOptions): ParsedTrace[] {
  const format = options.format === 'auto' ? detectFormat(text) : options.format;
  try {
    if (format === 'scamper-json') return parseScamperJson(text, { from: 'A' });
    // A pasted file has no known probe port; the user says the method when it matters.
    return [parseTracerouteText(text, { from: 'A', protocol: options.protocol, port: null, allowHeaderless: true })];
  } catch (error) {
    if (!(error instanceof TraceParseError)) throw error;
    throw new CliError(escapeText(`${file}:${error.line}: not readable as ${format} output: ${error.problem}: ${JSON.stringify(error.text)}`));
  }
}

/** One line a hop: TTL, address [AS], its times, the other responders (MDA branches) with
 *  their AS and times, and the marks. */
export function formatTraces(traces: readonly ParsedTrace[]): string {
  const lines: string[] = [];
  const as = (asn: number | undefined): string[] => (asn === undefined ? [] : [`[AS${asn}]`]);
  for (const trace of traces) {
    const name = trace.targetName ? ` (${trace.targetName})` : '';
    const tool = trace.method === 'tracelb' ? `${trace.tool} tracelb (MDA)` : trace.tool;
    lines.push(`trace to ${trace.target || '(unknown target)'}${name}, ${tool}, ${trace.hops.length} hops, destination ${trace.destinationReached ? 'reached' : 'not reached'}`);
    for (const hop of trace.hops) {
      const parts = [String(hop.ttl).padStart(2), hop.ip ?? '*', ...as(hop.asn), ...hop.rttMs.map((t) => `${t} ms`)];
      const others = hopInterfaces(hop).slice(hop.ip ? 1 : 0);
      if (others.length > 0) parts.push(`also ${others.map((o) => [o.ip, ...as(o.asn), ...o.rttMs.map((t) => `${t} ms`)].join(' ')).join(', ')}`);
      if (hop.marks && hop.marks.length > 0) parts.push(hop.marks.join(' '));
      lines.push(parts.join('  '));
    }
  }
  return lines.map(escapeText).join('\n') + '\n';
}

export function register(program: Command): void {
  const traceroute = program.command('traceroute').description('traceroute output tools');
  traceroute
    .command('parse')
    .description('read a traceroute text (Linux, BusyBox, FreeBSD, macOS, traceroute6) or scamper JSON file into contract hops')
    .argument('<file>', 'the saved output')
    .option('--format <format>', `input format: ${FORMATS.join(', ')}`, 'auto')
    .option('--protocol <protocol>', `probe method of a text trace (the text does not say): ${PROTOCOLS.join(', ')}`, 'udp')
    .option('--json', 'print the traces as JSON (a list)')
    .action((file: string, opts: { format: string; protocol: string; json?: boolean }) => {
      if (!FORMATS.includes(opts.format as TraceFormat)) throw new CliError(`--format: expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}`);
      if (!PROTOCOLS.includes(opts.protocol as Protocol)) throw new CliError(`--protocol: expected one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(opts.protocol)}`);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (error) {
        throw new CliError(escapeText(`${file}: cannot read: ${(error as Error).message}`));
      }
      const traces = parseTraceFile(file, text, { format: opts.format as TraceFormat, json: opts.json === true, protocol: opts.protocol as Protocol });
      process.stdout.write(opts.json ? `${JSON.stringify(traces, null, 2)}\n` : formatTraces(traces));
    });
}
