/** Traceroute output -> contract Trace/Hop (DESIGN 4.1). See hops.ts for the hop rules. */
export { TraceParseError, buildHop, hopInterfaces, icmpMark, type ParsedTrace, type ProbeReply } from './hops';
export { TracerouteTextParser, parseTracerouteText, type TracerouteTextOptions } from './traceroute-text';
export { ScamperJsonParser, parseScamperJson, SCAMPER_METHODS, type ScamperJsonOptions } from './scamper-json';
