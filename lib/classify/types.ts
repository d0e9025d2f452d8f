/**
 * Inputs and outputs of flow classification (paper section 4). Inputs are deliberately plain
 * structures so the capture, config and phone layers can hand over what they have:
 *  - capture layer (lib/capture): `ClassifierFlow` = contract Flow + optional SNI, DNS-derived
 *    server names and `packetTimes` (epoch ms of every packet of the flow, both directions).
 *    Please supply packetTimes: without them only firstSeen/lastSeen are known packet times and
 *    a long-lived connection cannot be correlated with the messages it carries;
 *  - config layer (lib/config): `ClassifierAppRules`, mapped from the app file's
 *    `classification` section (timeCorrelationWindowSec * 1000 -> timers.correlationWindowMs);
 *  - phone layer: `ClassifierMessageEvent` per message, times in epoch ms on the SAME clock as the
 *    capture timestamps (correct any offset before calling).
 */
import type { Endpoint, Flow, Side } from '../types';
import type { ClassificationReason, FlowClass } from './reasons';

export type ClassifierFlow = Flow & {
  /** TLS server name from the ClientHello. */
  sni?: string;
  /** Names that DNS answers of the capture resolve to the server address. */
  serverNames?: string[];
  /** Epoch ms of each packet of the flow (both directions), any order. */
  packetTimes?: number[];
};

/** One DNS answer of the capture: `name` resolved to `addresses` (end of any CNAME chain). */
export interface ClassifierDnsAnswer {
  name: string;
  addresses: string[];
  ttl?: number;
}

export interface ClassifierCapture {
  flows: ClassifierFlow[];
  dns?: ClassifierDnsAnswer[];
}

export interface PortRule {
  protocol: 'tcp' | 'udp';
  port: number;
}

export interface ClassifierAppRules {
  blacklist: { hosts: string[]; cidrs: string[]; ports: PortRule[] };
  whitelist: { hosts: string[]; cidrs: string[] };
  timers: {
    /** A packet within +-this many ms of a message's send (sender side) or receive time
     *  (receiver side) counts as that message's traffic. */
    correlationWindowMs: number;
    /** Messages a flow must carry to count as messaging without being whitelisted (default 2,
     *  capped at the number of messages this side carries). */
    minMessagesWithoutWhitelist?: number;
  };
}

export interface ClassifierMessageEvent {
  index: number;
  direction: 'A->B' | 'B->A';
  /** epoch ms when the sending phone sent it */
  sentAt: number;
  /** epoch ms when the receiving phone showed it; null when it never arrived */
  receivedAt: number | null;
}

export interface ClassifierInput {
  /** Which router captured `capture` (and `baseline`): decides send vs receive per message. */
  side: Side;
  capture: ClassifierCapture;
  /** A capture from the same node without the app running (paper: "no-app" noise). */
  baseline?: ClassifierCapture | null;
  messages: ClassifierMessageEvent[];
  rules: ClassifierAppRules;
}

/* ---- outputs ---- */

export interface HostMatch {
  pattern: string;
  name: string;
}

/** Every rule that matched a flow, not only the deciding one (for manual review). */
export interface FlowEvidence {
  localScope: string | null;
  blacklist: { port: string | null; host: HostMatch | null; cidr: string | null } | null;
  baseline: { endpoint: boolean; name: string | null } | null;
  whitelist: { host: HostMatch | null; cidr: string | null } | null;
  /** Messages with at least one packet of this flow inside their window. */
  correlatedMessages: number[];
  /** Messages attributed to this flow (it was the best candidate); empty for noise. */
  carriedMessages: number[];
}

export interface ClassifiedFlow {
  /** Position in `capture.flows`. */
  index: number;
  /** `tcp 198.18.7.1:40000 -> 198.18.50.10:443` */
  key: string;
  protocol: 'tcp' | 'udp';
  client: Endpoint;
  server: Endpoint;
  sni: string | null;
  /** SNI first, then DNS names of the server address, lower case, distinct. */
  names: string[];
  class: FlowClass;
  reason: ClassificationReason;
  evidence: FlowEvidence;
}

export interface MessageAttribution {
  index: number;
  direction: 'A->B' | 'B->A';
  /** What this side's capture sees of the message. */
  role: 'send' | 'receive';
  /** The time the window is centred on; null when the message was never received. */
  at: number | null;
  /** The flow that carried it on this side, or null. */
  flow: number | null;
  /** All non-noise flows with packets in the window, best first. */
  candidates: number[];
}

/** A service endpoint to traceroute: the server side of messaging/app-background flows. */
export interface ServiceEndpoint {
  ip: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** SNI if any flow had one, else the first DNS name, else null (e.g. WeChat DNS-over-HTTP). */
  name: string | null;
  names: string[];
  class: 'messaging' | 'app-background';
  flows: number[];
  messages: number[];
}

export interface ClassificationResult {
  side: Side;
  flows: ClassifiedFlow[];
  endpoints: ServiceEndpoint[];
  messages: MessageAttribution[];
  counts: Record<FlowClass, number>;
}
