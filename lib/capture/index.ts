/** Capture reading and flow extraction (DESIGN 4.4). */
export { CaptureFormatError, CaptureReader, type RawPacket } from './capture-reader';
export { fileChunks } from './file-chunks';
export { extractFlows, extractFlowsFromBuffer, FlowExtractor, type CaptureStats, type FlowExtractionOptions, type FlowsResult, type NamedFlow } from './flows';
export { formatIPv4, formatIPv6 } from '../net/ip';
export type { DnsName } from './dns';
