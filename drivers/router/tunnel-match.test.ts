/**
 * matchTunnel against router output captured from the small emulated world (side A of testbed
 * tb1 to pl-waw, VXLAN; test/fixtures/tunnel-reuse/), and variants of it that a reused tunnel
 * must never pass: another node, another VNI, link down, missing address/rule/route.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tunnelSpec } from '../../activities/lab';
import { projectRoot } from '../../lib/project-paths';
import type { TunnelSpec } from '../node/tunnel-spec';
import { matchTunnel, parseTunnelObservation, tunnelObservationArgs, tunnelObservationScript, type TunnelObservation } from './tunnel-match';

const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'tunnel-reuse');
const read = (f: string): string => fs.readFileSync(path.join(FIXTURES, f), 'utf8');

/** The spec provisionTunnels used when the fixtures were captured (world small, tb1, side A). */
const SPEC_A: TunnelSpec = tunnelSpec({ testbedIndex: 0, side: 'A', mode: 'vxlan', routerUnderlay: '198.19.1.10', nodeUnderlay: '198.18.4.101', phoneSubnet: '198.19.16.0/24' });

function observed(): TunnelObservation {
  return { link: read('router-a-addr.json'), rule: read('router-a-rule.json'), route: read('router-a-route.json'), forward: '1', kernel: 'Linux 6.18.44' };
}

/** The golden link with a change applied to its first (only) entry. */
interface GoldenLink {
  flags: string[];
  addr_info: unknown[];
}
function linkWith(change: (l: GoldenLink) => void): string {
  const links = JSON.parse(read('router-a-addr.json')) as GoldenLink[];
  change(links[0]);
  return JSON.stringify(links);
}

describe('matchTunnel', () => {
  it('accepts the captured router state of exactly this tunnel', () => {
    expect(matchTunnel(SPEC_A, observed())).toEqual({ match: true });
  });

  it('refuses a tunnel to another node and names the node it points at', () => {
    const other = { ...SPEC_A, nodeUnderlay: '198.18.5.101' };
    expect(matchTunnel(other, observed())).toEqual({ match: false, reason: 'mt-tn0-a: remote 198.18.4.101, want 198.18.5.101', remote: '198.18.4.101' });
  });

  it('refuses an absent interface', () => {
    expect(matchTunnel(SPEC_A, { ...observed(), link: '' })).toEqual({ match: false, reason: 'no interface mt-tn0-a', remote: null });
  });

  it('refuses another kind, local address, VNI or port', () => {
    expect(matchTunnel({ ...SPEC_A, mode: 'gre' }, observed())).toMatchObject({ match: false, reason: 'mt-tn0-a: kind vxlan, want gre' });
    expect(matchTunnel({ ...SPEC_A, routerUnderlay: '198.19.1.11' }, observed())).toMatchObject({ match: false, reason: expect.stringContaining('local 198.19.1.10') });
    expect(matchTunnel({ ...SPEC_A, vni: 4201 }, observed())).toMatchObject({ match: false, reason: 'mt-tn0-a: vni 4200, want 4201' });
    expect(matchTunnel({ ...SPEC_A, vxlanPort: 4790 }, observed())).toMatchObject({ match: false, reason: 'mt-tn0-a: port 4789, want 4790' });
  });

  it('refuses a link that is down (e.g. fault tunnel-down on the router)', () => {
    const link = linkWith((l) => (l.flags = l.flags.filter((f) => f !== 'UP' && f !== 'LOWER_UP')));
    expect(matchTunnel(SPEC_A, { ...observed(), link })).toMatchObject({ match: false, reason: 'mt-tn0-a: interface is down' });
  });

  it('refuses a link without the router inner address (or with another prefix length)', () => {
    expect(matchTunnel(SPEC_A, { ...observed(), link: linkWith((l) => (l.addr_info = [])) })).toMatchObject({ match: false, reason: 'mt-tn0-a: no address 198.19.128.1/30' });
    expect(matchTunnel({ ...SPEC_A, innerPrefixLength: 29 }, observed())).toMatchObject({ match: false, reason: 'mt-tn0-a: no address 198.19.128.1/29' });
  });

  it('refuses a missing policy rule, one for another subnet or another table', () => {
    expect(matchTunnel(SPEC_A, { ...observed(), rule: read('router-a-rule-after-teardown.json') })).toMatchObject({ match: false, reason: expect.stringContaining('no rule priority 1200 from 198.19.16.0/24 lookup 120') });
    expect(matchTunnel({ ...SPEC_A, phoneSubnet: '198.19.17.0/24' }, observed())).toMatchObject({ match: false, reason: expect.stringContaining('no rule') });
    expect(matchTunnel({ ...SPEC_A, table: 121 }, observed())).toMatchObject({ match: false, reason: expect.stringContaining('lookup 121') });
  });

  it('refuses a table without the default route via the node inner address', () => {
    expect(matchTunnel(SPEC_A, { ...observed(), route: '[]' })).toMatchObject({ match: false, reason: 'mt-tn0-a: no default route via 198.19.128.2 dev mt-tn0-a in table 120' });
    expect(matchTunnel(SPEC_A, { ...observed(), route: '' })).toMatchObject({ match: false, reason: expect.stringContaining('no default route') });
    expect(matchTunnel({ ...SPEC_A, nodeInner: '198.19.128.3' }, observed())).toMatchObject({ match: false, reason: expect.stringContaining('via 198.19.128.3') });
  });

  it('refuses when IPv4 forwarding is off', () => {
    expect(matchTunnel(SPEC_A, { ...observed(), forward: '0' })).toMatchObject({ match: false, reason: 'mt-tn0-a: IPv4 forwarding is "0", want 1' });
  });

  it('refuses unparsable output instead of throwing', () => {
    expect(matchTunnel(SPEC_A, { ...observed(), link: 'Device "mt-tn0-a" does not exist.' })).toMatchObject({ match: false, reason: expect.stringContaining('unparsable JSON') });
    expect(matchTunnel(SPEC_A, { ...observed(), rule: '{"priority":1200}' })).toMatchObject({ match: false, reason: expect.stringContaining('not a JSON array') });
  });
});

describe('the observation script', () => {
  it('passes the spec values as positional parameters only', () => {
    expect(tunnelObservationArgs(SPEC_A)).toEqual(['mt-tn0-a', '1200', '120']);
    expect(tunnelObservationScript()).not.toContain('mt-tn0-a');
  });

  it('parses the captured output of a router with this tunnel into matching sections', () => {
    const obs = parseTunnelObservation(read('observation-a.txt'));
    expect(obs.forward).toBe('1');
    expect(obs.kernel).toMatch(/^Linux /);
    expect(matchTunnel(SPEC_A, obs)).toEqual({ match: true });
  });

  it('parses the captured output of a router without it (before provisioning)', () => {
    const obs = parseTunnelObservation(read('observation-absent.txt'));
    expect(obs.link).toBe('');
    expect(matchTunnel(SPEC_A, obs)).toEqual({ match: false, reason: 'no interface mt-tn0-a', remote: null });
  });

  it('sees the link as down after `matador testbed fault tunnel-down` on the router (captured)', () => {
    expect(matchTunnel(SPEC_A, parseTunnelObservation(read('observation-a-down.txt')))).toMatchObject({ match: false, reason: 'mt-tn0-a: interface is down' });
  });

  it('side B of the same testbed (captured) matches its own spec, not side A\'s', () => {
    const specB = tunnelSpec({ testbedIndex: 0, side: 'B', mode: 'vxlan', routerUnderlay: '198.19.1.11', nodeUnderlay: '198.18.13.102', phoneSubnet: '198.19.17.0/24' });
    const obs = parseTunnelObservation(read('observation-b.txt'));
    expect(matchTunnel(specB, obs)).toEqual({ match: true });
    expect(matchTunnel(SPEC_A, obs)).toEqual({ match: false, reason: 'no interface mt-tn0-a', remote: null });
  });
});
