/**
 * The config keys of real phones: the testbeds' `phones.<side>.firewallExtraUids` and the
 * campaign's version pins (`apps` entries `{ file, version }`). Errors are one line naming the
 * file, the key path and the value.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, loadCampaign, parseConfigText } from '.';
import { projectRoot } from '../project-paths';
import { testbedsFileSchema } from './testbeds';

function errorOf(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}

const testbeds = (phoneA: string) => `schema: matador.testbeds/v1
testbeds:
  - id: lab1
    kind: real
    phones:
      A: ${phoneA}
      B: { serial: ZX1D22EFGH }
    routers:
      A: { host: 192.0.2.10, user: m, identityFile: k, knownHostsFile: h }
      B: { host: 192.0.2.11, user: m, identityFile: k, knownHostsFile: h }
`;

describe('firewallExtraUids', () => {
  it('takes a few Android uids', () => {
    const parsed = parseConfigText(testbedsFileSchema, testbeds('{ serial: ZX1D22ABCD, firewallExtraUids: [0, 1051] }'), 't.yaml');
    const tb = parsed.testbeds[0];
    expect(tb.kind === 'real' && tb.phones.A).toEqual({ serial: 'ZX1D22ABCD', firewallExtraUids: [0, 1051] });
  });

  it.each([
    ['[-1]', 'testbeds[0].phones.A.firewallExtraUids[0]: expected an Android uid (an integer between 0 and 2147483647), got -1'],
    ['[2147483648]', 'testbeds[0].phones.A.firewallExtraUids[0]: expected an Android uid (an integer between 0 and 2147483647), got 2147483648'],
    ['[1.5]', 'testbeds[0].phones.A.firewallExtraUids[0]: expected an Android uid (an integer between 0 and 2147483647), got 1.5'],
    ['["dns"]', 'testbeds[0].phones.A.firewallExtraUids[0]: expected an Android uid (an integer between 0 and 2147483647), got "dns"'],
    ['[0, 1, 2, 3, 4]', 'testbeds[0].phones.A.firewallExtraUids: expected a list of at most 4 Android uids'],
    ['[1051, 1051]', 'testbeds[0].phones.A.firewallExtraUids[1]: expected a uid not listed before (it is at [0]), got 1051'],
    ['1051', 'testbeds[0].phones.A.firewallExtraUids: expected a list of Android uids, got 1051'],
  ])('refuses %s in one line', (value, message) => {
    const text = errorOf(() => parseConfigText(testbedsFileSchema, testbeds(`{ serial: ZX1D22ABCD, firewallExtraUids: ${value} }`), 't.yaml'));
    expect(text).toContain(message);
    expect(text.startsWith('t.yaml')).toBe(true);
    expect(text).not.toContain('\n');
  });
});

describe('app version pins', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-pin-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const configs = path.join(projectRoot, 'configs');
  const campaign = (apps: string) => {
    const file = path.join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(
      file,
      `schema: matador.campaign/v1\nid: pins\nnodes: { file: ${configs}/nodes/planetlab-2015.yaml, select: [de-ber] }\n` +
        `apps:\n${apps}\ntestbeds: { file: ${configs}/testbeds/emulated-2.yaml }\n`,
    );
    return file;
  };

  it('an entry { file, version } pins the app; a plain path pins nothing', () => {
    const loaded = loadCampaign(campaign(`  - { file: ${configs}/apps/whatsapp.yaml, version: '2.12.176' }\n  - ${configs}/apps/threema.yaml`), { cwd: dir });
    expect(loaded.apps.map((a) => [a.id, a.pinnedVersion])).toEqual([['whatsapp', '2.12.176'], ['threema', undefined]]);
  });

  it.each([
    [`  - { file: ${configs}/apps/whatsapp.yaml, version: '2.12 beta' }`, 'apps[0].version: expected an Android versionName', 'got "2.12 beta"'],
    [`  - { file: ${configs}/apps/whatsapp.yaml, version: 2.12 }`, 'apps[0].version: expected an Android versionName (quote it', 'got 2.12'],
    [`  - { file: ${configs}/apps/whatsapp.yaml, versoin: '2.12.176' }`, 'apps[0].versoin: unknown key (did you mean "version"?)', ''],
    ['  - 42', 'apps[0]: expected an app config file path, or { file: PATH, version: "VERSION" }', '42'],
    ['  - { file: missing.yaml, version: \'1.0\' }', 'apps[0].file: file not found', '"missing.yaml"'],
  ])('refuses %s in one line at its key', (entry, key, value) => {
    const text = errorOf(() => loadCampaign(campaign(entry), { cwd: dir }));
    expect(text).toContain(key);
    expect(text).toContain(value);
    expect(text).not.toContain('\n');
  });
});
