/**
 * The one place where the node driver hands raw traceroute output to the project's parsers in
 * lib/traceroute (the drivers never parse traceroute output themselves). A parse problem is not
 * a measurement failure: the raw output is kept and the error reported beside it.
 */
import { Protocol, Side } from '../../lib/types';
import { parseScamperJson, parseTracerouteText, TraceParseError, type ParsedTrace } from '../../lib/traceroute';

export interface TraceMeta {
  from: Side;
  target: string;
  protocol: Protocol;
  port: number | null;
}

export function parseTraceOutput(tool: 'scamper' | 'traceroute', raw: string, meta: TraceMeta): { trace: ParsedTrace | null; parseError: string | null } {
  try {
    if (tool === 'scamper') {
      const traces = parseScamperJson(raw, { from: meta.from });
      if (traces.length !== 1) return { trace: null, parseError: `scamper output holds ${traces.length} traces, expected 1` };
      return { trace: traces[0], parseError: null };
    }
    return { trace: parseTracerouteText(raw, { from: meta.from, protocol: meta.protocol, port: meta.port }), parseError: null };
  } catch (err) {
    if (err instanceof TraceParseError) return { trace: null, parseError: err.message };
    throw err;
  }
}
