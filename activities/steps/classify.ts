/**
 * classifyFlows (on the testbed, where fetchCapture put the captures and configurePhones the
 * node's baseline; it needs only the checkout's config files and that data folder): both
 * routers' captures are read with lib/capture (flows with every packet's time, DNS answers, SNI)
 * and classified with lib/classify — the app's black/whitelist,
 * the node's no-app baseline, and time correlation with the messages' send/receive times.
 * The traceroute targets (one per address, protocol, port; pickTracerouteTargets) are the
 * service endpoints of both sides and the servers of the `unknown` flows the phone opened: the
 * phone's firewall lets only the app out, so what is not noise is the app's (the paper traced
 * every address of the trace and classified the rest by hand; e.g. WeChat's long connection,
 * resolved over its DNS-over-HTTP, carries no name and loses the message attribution to the
 * whitelisted short connection). Those targets are marked with class `unknown`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { extractFlows } from '../../lib/capture';
import {
  cidrContains,
  classifierRulesFromAppConfig,
  classifyFlows as classify,
  parseCidr,
  pickTracerouteTargets,
  type ClassifierAppRules,
  type ClassifierCapture,
  type ClassifierMessageEvent,
} from '../../lib/classify';
import type { CaptureFiles, Classification, MessageSent, SideClassification, SideSummary, StepContext, TracerouteTarget } from '../../lib/measurement/payloads';
import { baselineFile } from './baseline';
import { appOf, attemptDir, insideData, relToData, type StepEnv } from './context';
import { stepFailure } from './failures';
import { resolveTestbed } from './testbed-endpoints';

export async function readClassifierCapture(file: string, packetTimes: boolean): Promise<ClassifierCapture & { packets: number }> {
  const stream = fs.createReadStream(file);
  try {
    const r = await extractFlows(stream, { packetTimes });
    return { flows: r.flows, dns: r.dns.map((d) => ({ name: d.name, addresses: d.addresses })), packets: r.packets };
  } finally {
    stream.destroy();
  }
}

/** Smallest correlation window a compressed campaign gets (ms). */
export const MIN_CORRELATION_WINDOW_MS = 250;

/**
 * The correlation window is sized against the Fig. 2 timers (messages 20 s apart, window 5 s):
 * a campaign that compresses the timers (timerScale) compresses the window alike, or the app's
 * start-up traffic a few compressed seconds before the first message would count as carrying it.
 */
export function correlationScaled(rules: ClassifierAppRules, timerScale: number): ClassifierAppRules {
  if (timerScale >= 1) return rules;
  const ms = Math.max(MIN_CORRELATION_WINDOW_MS, Math.round(rules.timers.correlationWindowMs * timerScale));
  return { ...rules, timers: { ...rules.timers, correlationWindowMs: Math.min(ms, rules.timers.correlationWindowMs) } };
}

export function messageEvents(messages: readonly MessageSent[]): ClassifierMessageEvent[] {
  return messages.map((m) => ({
    index: m.index,
    direction: m.from === 'A' ? 'A->B' : 'B->A',
    sentAt: Date.parse(m.sentAt),
    receivedAt: m.receivedAt ? Date.parse(m.receivedAt) : null,
  }));
}

/**
 * classifyFlows: classifies both sides, writes each side's full classification (flows, counts,
 * message attribution) to `classification-<side>.json` in the attempt's artefact folder and
 * returns only the traceroute targets and per-side summaries that reference those files.
 */
export async function classifyFlowsStep(env: StepEnv, ctx: StepContext, capture: CaptureFiles, messages: MessageSent[]): Promise<Classification & { sides: SideSummary[] }> {
  return storeSideClassifications(env, ctx, await classifyCaptures(env, ctx, capture, messages));
}

/** Writes each side's classification to the attempt folder; gives what history may carry. */
export function storeSideClassifications(env: Pick<StepEnv, 'dataDir'>, ctx: StepContext, { endpoints, sides }: { endpoints: TracerouteTarget[]; sides: SideClassification[] }): Classification & { sides: SideSummary[] } {
  const dir = attemptDir(env, ctx);
  const summaries = sides.map((s): SideSummary => {
    const file = path.join(dir.abs, `classification-${s.side}.json`);
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(s));
    fs.renameSync(tmp, file);
    return { side: s.side, capture: s.capture, packets: s.packets, baseline: s.baseline, counts: s.counts, flowCount: s.flows.length, classificationRef: relToData(env, file) };
  });
  return { endpoints, sides: summaries };
}

export async function classifyCaptures(env: StepEnv, ctx: StepContext, capture: CaptureFiles, messages: MessageSent[]): Promise<{ endpoints: TracerouteTarget[]; sides: SideClassification[] }> {
  const { app, timerScale } = appOf(env, ctx);
  const rules = correlationScaled(classifierRulesFromAppConfig(app.classification), timerScale);
  const events = messageEvents(messages);
  const testbed = resolveTestbed(env, ctx);
  const sides: SideClassification[] = [];
  for (const side of ['A', 'B'] as const) {
    const file = capture.files.find((f) => f.side === side);
    const abs = file ? insideData(env, file.path, `side ${side} capture`) : null;
    if (!file || !abs || !fs.existsSync(abs)) throw stepFailure('capture_missing', `side ${side}: no capture file ${file ? abs : '(none fetched)'}`);
    const captured = await readClassifierCapture(abs, true);
    const node = side === 'A' ? ctx.nodeA.id : ctx.nodeB.id;
    const baselinePath = baselineFile(env, ctx.campaign, ctx.testbed, node);
    const baseline = fs.existsSync(baselinePath) ? await readClassifierCapture(baselinePath, false) : null;
    const result = classify({ side, capture: captured, baseline, messages: events, rules });
    const phoneSubnet = parseCidr(testbed.sides[side].tunnel.phoneSubnet);
    const unknownServers = result.flows
      .filter((f) => f.class === 'unknown' && cidrContains(phoneSubnet, f.client.ip) && !cidrContains(phoneSubnet, f.server.ip))
      .map((f) => ({ ip: f.server.ip, port: f.server.port, protocol: f.protocol, names: f.names }));
    sides.push({
      side,
      capture: file.path,
      packets: captured.packets,
      baseline: baseline ? relToData(env, baselinePath) : null,
      counts: result.counts,
      flows: result.flows.map((f) => {
        const raw = captured.flows[f.index];
        return { key: f.key, class: f.class, reason: f.reason, names: f.names, packets: raw.packets, bytes: raw.bytes, firstSeen: raw.firstSeen, lastSeen: raw.lastSeen, carriedMessages: f.evidence.carriedMessages };
      }),
      endpoints: result.endpoints,
      unknownServers,
      messages: result.messages,
    });
  }
  const targets = pickTracerouteTargets([...sides.flatMap((s) => s.endpoints), ...sides.flatMap((s) => s.unknownServers)]);
  const endpoints: Array<TracerouteTarget & { names: string[]; classes: string[] }> = targets.map((t) => ({
    ip: t.ip,
    port: t.port,
    protocol: t.protocol,
    name: t.name,
    names: t.names,
    classes: t.classes.length > 0 ? t.classes : ['unknown'],
  }));
  return { endpoints, sides };
}
