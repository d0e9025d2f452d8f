/**
 * The paper world (28 nodes, 30 core routers, 4 testbeds) with every component, and real
 * traceroutes between the nodes: geolocating each hop with the exported corrections reproduces
 * the paper's network-path findings (Table 3): 86/120 European pairs 5-Eyes accessible, 118/120
 * EU accessible; in Asia 6/28 pairs leave the region and 10/28 cross China.
 */
import { execFile } from 'child_process';
import { readWorldState, WorldState } from '../../testbed/world/state';
import { countryOf, loadCorrections, mtNamespaces, runCli } from './helpers';

jest.setTimeout(600_000);

const FIVE_EYES = ['US', 'GB', 'CA', 'AU', 'NZ'];
const EU_2015 = 'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE GB'.split(' ');
const EUROPE = ['PL', 'CZ', 'HU', 'GB', 'SE', 'NO', 'FI', 'ES', 'IT', 'PT', 'GR', 'DE', 'FR', 'CH', 'NL'];
const ASIA = ['CN', 'HK', 'JP', 'KR', 'SG', 'TH', 'IL'];

function traceroute(netns: string, target: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', netns, 'traceroute', '-n', '-q', '1', '-w', '1', '-m', '16', target], (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[1]).filter((x) => /^\d+\.\d+\.\d+\.\d+$/.test(x ?? '')));
    });
  });
}

async function pairTable(state: WorldState, countries: string[]): Promise<{ pairs: number; left: number; fiveEyes: number; eu: number; china: number }> {
  const corrections = loadCorrections(state.correctionsFile);
  const nodes = state.nodes.filter((n) => countries.includes(n.country));
  const row = { pairs: 0, left: 0, fiveEyes: 0, eu: 0, china: 0 };
  const jobs: [WorldState['nodes'][number], WorldState['nodes'][number]][] = [];
  for (let i = 0; i < nodes.length; i++) for (let j = i; j < nodes.length; j++) jobs.push([nodes[i], nodes[j]]);
  for (let k = 0; k < jobs.length; k += 4) {
    await Promise.all(
      jobs.slice(k, k + 4).map(async ([a, b]) => {
        const hops = a === b ? [] : [...(await traceroute(a.netns, b.address)), ...(await traceroute(b.netns, a.address))];
        if (a !== b) expect(hops).toContain(b.address); // the trace reached its target
        const cs = new Set([a.country, b.country, ...hops.map((h) => countryOf(corrections, h)).filter((c): c is string => c !== null)]);
        row.pairs++;
        if ([...cs].some((c) => !countries.includes(c))) row.left++;
        if ([...cs].some((c) => FIVE_EYES.includes(c))) row.fiveEyes++;
        if ([...cs].some((c) => EU_2015.includes(c))) row.eu++;
        if (cs.has('CN')) row.china++;
      }),
    );
  }
  return row;
}

describe('paper world', () => {
  let state: WorldState;

  beforeAll(async () => {
    const r = await runCli(['testbed', 'up', 'paper'], 300_000);
    if (r.code !== 0) throw new Error(`testbed up paper failed: ${r.stderr}${r.stdout}`);
    state = readWorldState('paper');
  });

  afterAll(async () => {
    await runCli(['testbed', 'down']);
  });

  test('every element is up: 28 nodes with sshd, 4 testbeds with phones, 5 backends, 5 resolvers', async () => {
    expect(state.status).toBe('up');
    expect(state.nodes).toHaveLength(28);
    expect(state.nodes.every((n) => n.ssh !== null && n.resolver !== null)).toBe(true);
    expect(state.testbeds).toHaveLength(4);
    expect(state.testbeds.every((t) => t.sides.A.phone.running && t.sides.B.phone.running && t.sides.A.router.ssh && t.sides.B.router.ssh)).toBe(true);
    expect(state.services.filter((s) => s.running)).toHaveLength(5);
    expect(state.resolvers).toHaveLength(5);
    expect((await mtNamespaces()).length).toBe(87);
  });

  test('Europe: 86/120 pairs cross a 5-Eyes country (the UK), 118/120 an EU country, none leave', async () => {
    expect(await pairTable(state, EUROPE)).toEqual({ pairs: 120, left: 0, fiveEyes: 86, eu: 118, china: 0 });
  });

  test('Asia: Israel leaves through Europe and the US (6/28), 10/28 cross China', async () => {
    expect(await pairTable(state, ASIA)).toEqual({ pairs: 28, left: 6, fiveEyes: 6, eu: 6, china: 10 });
  });
});
