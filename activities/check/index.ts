/**
 * checkTestbed (the step of `matador testbed check`), on the testbed's worker where the phones
 * and the SSH keys are. Without a subject it lists the testbed's subjects (config only); with one
 * it checks that subject and returns its rows. A failed check is a row, not a step failure: the
 * step fails only when the campaign or the testbed cannot be read (config_invalid,
 * testbed_unknown, world_not_up, testbed_incomplete).
 */
import { checkSubjects, parseSubject, subjectLabel, type CheckRow, type CheckSubject, type CheckTestbedRequest, type CheckTestbedResponse } from '../../lib/check/rows';
import type { LoadedCampaign, TestbedConfig } from '../../lib/config';
import type { Side } from '../../lib/types';
import type { TestbedEndpoints } from '../lab';
import { campaignOf, checkId, type StepEnv } from '../steps/context';
import { stepFailure } from '../steps/failures';
import { phoneDriver } from '../steps/phones';
import { DEFAULT_MAX_CLOCK_SKEW_MS } from '../../drivers/phone';
import { fromLab } from '../steps/testbed-endpoints';
import { nodeChecks, routerChecks, runHostChecks, runTunnelCheck } from './hosts';
import { phoneChecks, runPhoneChecks, type CheckOutcome } from './phone';

function testbedOf(campaign: LoadedCampaign, id: string): TestbedConfig {
  const tb = campaign.testbeds.find((t) => t.id === id);
  if (!tb) throw stepFailure('testbed_unknown', `${campaign.testbedsFile}: no testbed ${id} selected by ${campaign.file} (have ${campaign.testbeds.map((t) => t.id).join(', ')})`);
  return tb;
}

/** The testbed with node `node` on both sides (a phone or router check needs some node: the first). */
function endpoints(env: StepEnv, campaign: LoadedCampaign, testbed: TestbedConfig, node: string | null): TestbedEndpoints {
  const n = node === null ? campaign.nodes[0] : campaign.nodes.find((x) => x.id === node);
  if (!n) throw stepFailure('testbed_unknown', `${campaign.file}: no node ${node ?? '(none selected)'} among the campaign's nodes (${campaign.nodes.map((x) => x.id).join(', ')})`);
  const planned = { id: n.id, country: n.country, latitude: n.latitude, longitude: n.longitude };
  return fromLab(() => env.lab.resolve({ campaign, testbed }, { nodeA: planned, nodeB: planned }));
}

type Named = { name: string } & CheckOutcome;

function rowsOf(testbed: string, side: Side | null, kind: CheckSubject['kind'], target: string, outcomes: Named[]): CheckRow[] {
  return outcomes.map((o) => ({ testbed, side, kind, target, check: o.name, ok: o.ok, detail: o.detail, fix: o.ok ? null : (o.fix ?? null) }));
}

async function checkSubject(env: StepEnv, campaign: LoadedCampaign, testbed: TestbedConfig, s: CheckSubject): Promise<CheckRow[]> {
  switch (s.kind) {
    case 'phone': {
      const e = endpoints(env, campaign, testbed, null).sides[s.side];
      const outcomes = await runPhoneChecks(phoneChecks(campaign.apps, { maxClockSkewMs: env.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS }), { phone: phoneDriver(env, e), serial: e.phone.serial, side: s.side });
      return rowsOf(testbed.id, s.side, 'phone', e.phone.serial, outcomes);
    }
    case 'router': {
      const e = endpoints(env, campaign, testbed, null).sides[s.side];
      return rowsOf(testbed.id, s.side, 'router', e.router.ssh.host, await runHostChecks(e.router.ssh, routerChecks(e.router, e.tunnel.mode)));
    }
    case 'node': {
      const e = endpoints(env, campaign, testbed, s.node).sides.A;
      return rowsOf(testbed.id, null, 'node', `${e.node.id}/${e.node.ssh.host}`, await runHostChecks(e.node.ssh, nodeChecks(env.tracerouteBackend ?? 'scamper', { tunnelMode: e.tunnel.mode, mda: campaign.campaign.traceroutes.applicationPaths === 'mda' })));
    }
    case 'tunnel': {
      const e = endpoints(env, campaign, testbed, s.node).sides[s.side];
      return rowsOf(testbed.id, s.side, 'tunnel', `${e.router.ssh.host} -> ${e.node.id}`, await runTunnelCheck(e));
    }
  }
}

export async function checkTestbed(env: StepEnv, req: CheckTestbedRequest): Promise<CheckTestbedResponse> {
  if (typeof req !== 'object' || req === null || typeof req.config !== 'string' || req.config === '') throw stepFailure('config_invalid', 'checkTestbed: config: not a path');
  const campaign = campaignOf(env, { config: { path: req.config } });
  const testbed = testbedOf(campaign, checkId('testbed', req.testbed));
  const subjects = checkSubjects(campaign.nodes.map((n) => n.id));
  if (req.subject === undefined) return { subjects, rows: [] };
  const subject = parseSubject(req.subject);
  if (!subject) throw stepFailure('config_invalid', `checkTestbed: subject: not a check subject: ${JSON.stringify(req.subject).slice(0, 120)}`);
  if (!subjects.some((x) => subjectLabel(x) === subjectLabel(subject))) throw stepFailure('testbed_unknown', `checkTestbed: ${subjectLabel(subject)} is not a subject of testbed ${testbed.id} in ${campaign.file}`);
  return { subjects, rows: await checkSubject(env, campaign, testbed, subject) };
}
