import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildPlan } from './address-plan';
import { routerAsPlan } from './as-plan';
import { loadWorld, worldConfigDir } from './config';
import { parseCorrections } from '../../lib/geo/corrections';
import { AsLocator } from '../../lib/geo/annotate-as';

describe('world AS plan', () => {
  it('defaults: private-use ASNs in router order skipping named ones, registered in the router country', () => {
    const plan = routerAsPlan({
      name: 'w',
      routers: [
        { id: 'a', country: 'DE', city: 'Berlin' },
        { id: 'b', country: 'HK', as: { asn: 64513, name: 'Carrier', registeredIn: 'US' } },
        { id: 'c', country: 'JP' },
      ],
    });
    expect([...plan]).toEqual([
      ['a', { asn: 64512, name: 'w world a Berlin', registeredIn: 'DE' }],
      ['b', { asn: 64513, name: 'Carrier', registeredIn: 'US' }],
      ['c', { asn: 64514, name: 'w world c', registeredIn: 'JP' }],
    ]);
    expect(() => routerAsPlan({ name: 'w', routers: [{ id: 'a', country: 'DE', as: { asn: 1, name: 'X', registeredIn: 'DE' } }, { id: 'b', country: 'FR', as: { asn: 1, name: 'Y', registeredIn: 'FR' } }] }))
      .toThrow('routers.1.as.name: AS1 is already named "X" at routers.0.as.name, got "Y"');
  });

  it.each(['small', 'paper'])('the %s world: every router prefix carries its AS in the corrections, and one AS is registered abroad', (name) => {
    const world = loadWorld(name);
    const plan = buildPlan(world);
    // through the real corrections format, as the geolocate step reads the written file
    const corrections = parseCorrections(JSON.stringify({ schema: 'matador.geo-corrections/v1', corrections: plan.corrections }), 'corrections.yaml');
    const locator = new AsLocator({ corrections, asn: [], registration: [] });
    const routers = world.config.routers.map((r) => ({ r, as: locator.lookup(plan.namespaces.find((n) => n.id === r.id)!.address) }));
    for (const { as } of routers) expect(as).toMatchObject({ source: 'corrections', asn: expect.any(Number), name: expect.any(String) });
    expect(routers.filter(({ r, as }) => as.registrationCountry !== r.country).map(({ r, as }) => [r.id, r.country, as.registrationCountry, as.asn])).toEqual([['hk', 'HK', 'US', 64700]]);
    expect(locator.lookup('198.19.1.10').asn).toBeNull(); // the lab: no AS known
  });

  it('a bad as in a world config names the file and key path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-world-as-'));
    const text = fs.readFileSync(path.join(worldConfigDir, 'small.yaml'), 'utf8').replace('file: ../nodes/', `file: ${path.join(worldConfigDir, '../nodes')}/`);
    const file = path.join(dir, 'w.yaml');
    fs.writeFileSync(file, text.replace('registeredIn: US', 'registeredIn: usa'));
    expect(() => loadWorld(file)).toThrow(new RegExp(`^world config ${file}: routers\\.\\d+\\.as\\.registeredIn: ISO 3166-1 alpha-2`));
    fs.writeFileSync(file, text.replace('asn: 64700', 'asn: -5'));
    expect(() => loadWorld(file)).toThrow(/routers\.\d+\.as\.asn: /);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
