/**
 * The world's IXPs (pure: no namespaces): the shipped worlds declare them where the paper's story
 * has one, the dump they write is a PeeringDB dump our reader accepts, and the hop a traceroute
 * shows after crossing an IXP link (the far router's address on that link) lies in its LAN.
 */
import { IxpTable, parsePeeringDb } from '../../lib/geo/peeringdb';
import { buildPlan, plannedPath, type WorldPlan } from './address-plan';
import { loadWorld, validateReferences } from './config';
import { peeringDbDump } from './ixps';

function tableOf(plan: WorldPlan): IxpTable {
  return new IxpTable([parsePeeringDb(JSON.stringify(peeringDbDump(plan.world, plan.ixps)), 'peeringdb.json')]);
}

/** The address of `router`'s end of the link to `peer`: what it answers a probe from there with. */
function inbound(plan: WorldPlan, router: string, peer: string): string {
  const l = plan.links.find((x) => (x.a === router && x.b === peer) || (x.b === router && x.a === peer));
  if (!l) throw new Error(`no link ${router}~${peer}`);
  return l.a === router ? l.endA.address : l.endB.address;
}

describe.each(['small', 'paper'])('world %s', (name) => {
  const plan = buildPlan(loadWorld(name));
  const table = tableOf(plan);

  it('Singapore reaches WeChat\'s Chinese backend through the US exchange, both ways', () => {
    expect(plannedPath(plan, 'sg', 'wechat-cn')).toEqual(['sg', 'us-lax', 'cn']);
    expect(table.lookup(inbound(plan, 'us-lax', 'sg'))).toMatchObject({ ixId: 900001, name: 'LAX-IX', country: 'US', city: 'Los Angeles', prefix: `${inbound(plan, 'us-lax', 'sg')}/32` });
    expect(table.lookup(inbound(plan, 'cn', 'us-lax'))?.name).toBe('LAX-IX');
    expect(table.lookup(inbound(plan, 'us-lax', 'cn'))?.name).toBe('LAX-IX');
  });

  it('a Frankfurt exchange on the German links; other links and the routers\' own prefixes are in none', () => {
    expect(table.lookup(inbound(plan, 'de', 'gb'))).toMatchObject({ ixId: 900002, name: 'FRA-IX', country: 'DE' });
    expect(table.lookup(inbound(plan, 'gb', 'ch'))).toBeNull();
    expect(table.lookup(plan.routerPrefix.de.replace(/0\/24$/, '1'))).toBeNull();
  });

  it('writes the same dump at every up: ids from the config, two /32 per link', () => {
    const dump = peeringDbDump(plan.world, plan.ixps);
    expect(dump).toEqual(peeringDbDump(plan.world, buildPlan(loadWorld(name)).ixps));
    expect(dump.ix.data.map((x) => x.id)).toEqual([900001, 900002]);
    expect(dump.ixpfx.data).toHaveLength(2 * plan.ixps.reduce((n, x) => n + x.links.length, 0));
    expect(parsePeeringDb(JSON.stringify(dump), 'd.json').skipped).toEqual({ danglingIxpfx: 0, danglingIxlan: 0, notOk: 0 });
  });
});

describe('ixps in a world config', () => {
  const world = loadWorld('small');
  const withIxps = (ixps: unknown[]) => ({ ...world, config: { ...world.config, ixps } }) as typeof world;
  const ix = { id: 1, name: 'X', country: 'US', links: ['us~us-lax'] };

  it('accepts a link in either order', () => {
    expect(() => validateReferences(withIxps([{ ...ix, links: ['us-lax~us'] }]))).not.toThrow();
  });

  it('refuses a link that does not exist, a link on two IXPs and an id used twice', () => {
    expect(() => validateReferences(withIxps([{ ...ix, links: ['us~sg'] }]))).toThrow(/ixps\[0\]\.links\[0\] names us~sg, which links does not define$/);
    expect(() => validateReferences(withIxps([ix, { ...ix, id: 2 }]))).toThrow(/ixps\[1\]\.links\[0\]: link us~us-lax is already on ixps\[0\]$/);
    expect(() => validateReferences(withIxps([ix, { ...ix, links: ['gb~de'] }]))).toThrow(/ixps\[1\]\.id 1 is used twice$/);
  });
});
