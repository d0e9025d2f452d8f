/** Campaign `alerts.webhook`: http(s) URLs only, refused at load with file and key path, and
 *  never echoed (the URL may carry a token). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCampaign } from './load';
import { ConfigError } from './errors';
import { projectRoot } from '../project-paths';

const fixtures = path.join(projectRoot, 'test/fixtures/config');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-alerts-config-'));
  for (const f of ['nodes-minimal.yaml', 'app-minimal.yaml', 'testbeds-minimal.yaml']) fs.copyFileSync(path.join(fixtures, f), path.join(dir, f));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function campaign(alerts: string): string {
  const file = path.join(dir, 'c.yaml');
  fs.writeFileSync(file, `schema: matador.campaign/v1\nid: weekly\nnodes: {file: nodes-minimal.yaml}\napps: [app-minimal.yaml]\ntestbeds: {file: testbeds-minimal.yaml, select: [tb1]}\n${alerts}`);
  return file;
}

function loadError(alerts: string): string {
  try {
    loadCampaign(campaign(alerts), { cwd: dir });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

it('keeps an http(s) webhook; without `alerts` there is none', () => {
  expect(loadCampaign(campaign('alerts: {webhook: "https://hooks.example.org/x?token=s3cret"}\n'), { cwd: dir }).campaign.alerts).toEqual({ webhook: 'https://hooks.example.org/x?token=s3cret' });
  expect(loadCampaign(campaign(''), { cwd: dir }).campaign.alerts).toBeUndefined();
});

it.each([
  ['alerts: {webhook: "ftp://user:s3cret@example.org/"}\n', 'c.yaml: alerts.webhook: expected an http:// or https:// URL, not "ftp:" (the value is not shown: it may carry a token)'],
  ['alerts: {webhook: "hooks.example.org/s3cret"}\n', 'c.yaml: alerts.webhook: expected an http:// or https:// URL (the value is not shown: it may carry a token)'],
  ['alerts: {webhook: 42}\n', 'c.yaml: alerts.webhook: expected an http:// or https:// URL, got 42'],
  ['alerts: {webhok: "https://x.org/"}\n', 'c.yaml: alerts.webhok: unknown key'],
])('refuses %s at load, without echoing it', (alerts, message) => {
  const error = loadError(alerts);
  expect(error.startsWith(message)).toBe(true);
  expect(error).not.toContain('s3cret');
});
