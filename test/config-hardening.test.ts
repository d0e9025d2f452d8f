/**
 * Bad configurations are refused at load with ONE line naming the file and the key path (issue
 * 11): one fixture per bad input, each an edited copy of the shipped configs in a temp dir, run
 * through the loader (and once through `matador campaign plan`); then a fuzz test that mutates the
 * shipped configs at random (seeded) and asserts each either loads or fails with a one-line
 * ConfigError naming a file, never another exception, never a hang.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApplicationFailure } from '@temporalio/activity';
import { parse, stringify } from 'yaml';
import { campaignOf, type StepEnv } from '../activities/steps/context';
import { loadCampaignPlan } from '../activities/plan-loader';
import { planActivities } from '../activities/plan-pages';
import { ConfigError, loadCampaign, type ConfigFs } from '../lib/config';
import { configsDir } from '../lib/project-paths';
import { seededRandom } from '../lib/seeded-random';
import { matador } from './support/matador-cli';

/* ---- a copy of the shipped configs, edited per case ---- */

const PEM_KEY = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  'QyNTUxOQAAACBvbGRfa2V5X21hdGVyaWFsX2Zvcl90ZXN0c19vbmx5X3NlY3JldAAAAJg',
  '-----END OPENSSH PRIVATE KEY-----',
].join('\n');
const SECRET_PART = 'QyNTUxOQAAACBvbGRfa2V5X21hdGVyaWFsX2Zvcl90ZXN0c19vbmx5X3NlY3JldAAAAJg';
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host';
const BASE64_KEY = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQAAACBvbGRfa2V5X21hdGVyaWFs';

let root: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-config-hardening-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let caseCount = 0;
/** A fresh copy of configs/ plus a campaign on the example real lab (configs/campaigns/lab.yaml). */
function copyConfigs(): string {
  const dir = path.join(root, `case-${++caseCount}`);
  fs.cpSync(configsDir, dir, { recursive: true });
  const lab = {
    schema: 'matador.campaign/v1',
    id: 'lab',
    nodes: { file: '../nodes/planetlab-2015.yaml', select: ['de-ber', 'jp-tyo'] },
    apps: ['../apps/threema.yaml'],
    testbeds: { file: '../testbeds/lab-example.yaml' },
  };
  fs.writeFileSync(path.join(dir, 'campaigns', 'lab.yaml'), stringify(lab));
  const geo = { ...lab, id: 'geo', testbeds: { file: '../testbeds/emulated-2.yaml' }, geo: { interestGroups: '../geo/interest-groups.yaml', corrections: ['../geo/corrections.yaml'] } };
  fs.writeFileSync(path.join(dir, 'campaigns', 'geo.yaml'), stringify(geo));
  return dir;
}

type Doc = Record<string, unknown> & { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

function edit(dir: string, rel: string, change: (doc: Doc) => void): void {
  const file = path.join(dir, rel);
  const doc = parse(fs.readFileSync(file, 'utf8')) as Doc;
  change(doc);
  fs.writeFileSync(file, stringify(doc));
}

const nodeIndex = (doc: Doc, id: string): number => (doc.nodes as Array<{ id: string }>).findIndex((n) => n.id === id);
const setNode = (id: string, change: (node: Doc) => void) => (doc: Doc) => change(doc.nodes[nodeIndex(doc, id)] as Doc);
const deBer = (doc: Doc) => nodeIndex(doc, 'de-ber');

interface BadCase {
  name: string;
  /** the campaign to load, relative to the copy */
  campaign: string;
  prepare(dir: string): void;
  /** the file the message must name (relative to the copy) and the key path it must show */
  file: string;
  keyPath: string | ((dir: string) => string);
  /** text that must NOT appear (pasted key material) */
  secret?: string;
  /** text the message must contain */
  says?: string;
}

const DEMO = 'campaigns/demo.yaml';
const LAB = 'campaigns/lab.yaml';
const NODES = 'nodes/planetlab-2015.yaml';
const LAB_TESTBEDS = 'testbeds/lab-example.yaml';
const THREEMA = 'apps/threema.yaml';

const keyPathOfDeBer = (key: string) => (dir: string) => {
  const doc = parse(fs.readFileSync(path.join(dir, NODES), 'utf8')) as Doc;
  return `nodes[${deBer(doc)}].${key}`;
};

const BAD: BadCase[] = [
  // ---- key material where a path belongs (never echoed) ----
  {
    name: 'a private key pasted into a nodes file as ssh.identityFile',
    campaign: DEMO, file: NODES, keyPath: keyPathOfDeBer('ssh.identityFile'), secret: SECRET_PART, says: 'looks like key material, not a path',
    prepare: (d) => edit(d, NODES, setNode('de-ber', (n) => { n.ssh = { host: '192.0.2.7', user: 'm', identityFile: PEM_KEY }; })),
  },
  {
    name: 'an OpenSSH public key line as ssh.knownHostsFile',
    campaign: DEMO, file: NODES, keyPath: keyPathOfDeBer('ssh.knownHostsFile'), secret: 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6', says: 'looks like key material',
    prepare: (d) => edit(d, NODES, setNode('de-ber', (n) => { n.ssh = { host: '192.0.2.7', user: 'm', knownHostsFile: PUBLIC_KEY }; })),
  },
  {
    name: 'a long base64 blob as a router identityFile',
    campaign: LAB, file: LAB_TESTBEDS, keyPath: 'testbeds[0].routers.A.identityFile', secret: BASE64_KEY.slice(0, 30), says: 'looks like key material',
    prepare: (d) => edit(d, LAB_TESTBEDS, (doc) => { doc.testbeds[0].routers.A.identityFile = BASE64_KEY; }),
  },
  {
    name: 'a multi-line value as a router knownHostsFile',
    campaign: LAB, file: LAB_TESTBEDS, keyPath: 'testbeds[0].routers.B.knownHostsFile', secret: 'second-line', says: 'looks like key material',
    prepare: (d) => edit(d, LAB_TESTBEDS, (doc) => { doc.testbeds[0].routers.B.knownHostsFile = 'first-line\nsecond-line'; }),
  },
  {
    name: 'a private key pasted as an app reference of the campaign',
    campaign: DEMO, file: DEMO, keyPath: 'apps[0]', secret: SECRET_PART, says: 'looks like key material, not a path',
    prepare: (d) => edit(d, DEMO, (doc) => { doc.apps[0] = PEM_KEY; }),
  },
  {
    name: 'a private key inside a geo file, quoted by its parser',
    campaign: DEMO, file: 'geo/interest-groups.yaml', keyPath: '', secret: SECRET_PART, says: 'looks like key material (not shown)',
    prepare: (d) => {
      fs.writeFileSync(path.join(d, 'geo/interest-groups.yaml'), stringify({ schema: 'matador.interest-groups/v1', groups: [{ name: 'X', members: { DE: [{ from: PEM_KEY }] } }] }));
      edit(d, DEMO, (doc) => { doc.geo = { interestGroups: '../geo/interest-groups.yaml' }; });
    },
  },
  // ---- upper bounds, finite numbers ----
  { name: 'timerScale: 1e300', campaign: DEMO, file: DEMO, keyPath: 'timerScale', prepare: (d) => edit(d, DEMO, (doc) => { doc.timerScale = 1e300; }) },
  { name: 'timerScale: .inf', campaign: DEMO, file: DEMO, keyPath: 'timerScale', prepare: (d) => edit(d, DEMO, (doc) => { doc.timerScale = Infinity; }) },
  { name: 'retry.maxIntervalSec: 1e300', campaign: DEMO, file: DEMO, keyPath: 'retry.maxIntervalSec', prepare: (d) => edit(d, DEMO, (doc) => { doc.retry.maxIntervalSec = 1e300; }) },
  { name: 'retry.initialIntervalSec: 2 days', campaign: DEMO, file: DEMO, keyPath: 'retry.initialIntervalSec', prepare: (d) => edit(d, DEMO, (doc) => { doc.retry.initialIntervalSec = 172800; }) },
  { name: 'retry.maxAttempts: 1000', campaign: DEMO, file: DEMO, keyPath: 'retry.maxAttempts', prepare: (d) => edit(d, DEMO, (doc) => { doc.retry.maxAttempts = 1000; }) },
  { name: 'retry.backoffCoefficient: 1e9', campaign: DEMO, file: DEMO, keyPath: 'retry.backoffCoefficient', prepare: (d) => edit(d, DEMO, (doc) => { doc.retry.backoffCoefficient = 1e9; }) },
  {
    name: 'a UI wait of 3,000,000 s',
    campaign: DEMO, file: THREEMA, keyPath: 'ui.openChat[0].seconds',
    prepare: (d) => edit(d, THREEMA, (doc) => { doc.ui.openChat.unshift({ action: 'wait', seconds: 3_000_000 }); }),
  },
  {
    name: 'a tap timeout of 1e9 s',
    campaign: DEMO, file: THREEMA, keyPath: 'ui.sendMessage[0].timeoutSec',
    prepare: (d) => edit(d, THREEMA, (doc) => { doc.ui.sendMessage.unshift({ action: 'tap', element: 'x', timeoutSec: 1e9 }); }),
  },
  { name: 'a messaging timer of 1e300 s', campaign: DEMO, file: THREEMA, keyPath: 'timers.betweenMessagesSec', prepare: (d) => edit(d, THREEMA, (doc) => { doc.timers.betweenMessagesSec = 1e300; }) },
  { name: 'a message count of 100000', campaign: DEMO, file: THREEMA, keyPath: 'message.count', prepare: (d) => edit(d, THREEMA, (doc) => { doc.message.count = 100_000; }) },
  { name: 'a correlation window of 1e12 s', campaign: DEMO, file: THREEMA, keyPath: 'classification.timeCorrelationWindowSec', prepare: (d) => edit(d, THREEMA, (doc) => { doc.classification.timeCorrelationWindowSec = 1e12; }) },
  // ---- ids at most 64 characters ----
  { name: 'a 300-character campaign id', campaign: DEMO, file: DEMO, keyPath: 'id', prepare: (d) => edit(d, DEMO, (doc) => { doc.id = 'a'.repeat(300); }) },
  { name: 'a 65-character app id', campaign: DEMO, file: THREEMA, keyPath: 'id', prepare: (d) => edit(d, THREEMA, (doc) => { doc.id = 'a'.repeat(65); }) },
  {
    name: 'a 65-character node id',
    campaign: 'campaigns/paper-2015.yaml', file: NODES, keyPath: 'nodes[0].id',
    prepare: (d) => edit(d, NODES, (doc) => { doc.nodes[0].id = 'n'.repeat(65); }),
  },
  { name: 'a 65-character testbed id', campaign: LAB, file: LAB_TESTBEDS, keyPath: 'testbeds[0].id', prepare: (d) => edit(d, LAB_TESTBEDS, (doc) => { doc.testbeds[0].id = 't'.repeat(65); }) },
  // ---- phone subnets ----
  {
    name: "a router's phoneSubnet that contains the router's own address",
    campaign: LAB, file: LAB_TESTBEDS, keyPath: 'testbeds[0].routers.A.phoneSubnet', says: "router A's own address",
    prepare: (d) => edit(d, LAB_TESTBEDS, (doc) => { doc.testbeds[0].routers.A.host = '192.168.42.1'; }),
  },
  {
    name: "a router's phoneSubnet that contains its underlay address",
    campaign: LAB, file: LAB_TESTBEDS, keyPath: 'testbeds[0].routers.B.phoneSubnet', says: "router B's underlay address",
    prepare: (d) => edit(d, LAB_TESTBEDS, (doc) => { doc.testbeds[0].routers.B.underlayAddress = '10.42.7.1'; }),
  },
  {
    name: "a router's phoneSubnet that contains a node's underlay",
    campaign: LAB, file: LAB_TESTBEDS, keyPath: 'testbeds[0].routers.B.phoneSubnet', says: "node de-ber's underlay address",
    prepare: (d) => edit(d, NODES, setNode('de-ber', (n) => { n.underlayAddress = '10.42.7.200'; })),
  },
  {
    name: "a router's phoneSubnet that overlaps the tunnels' inner range",
    campaign: LAB, file: LAB_TESTBEDS, keyPath: 'testbeds[0].routers.A.phoneSubnet', says: '198.19.128.0/24',
    prepare: (d) => edit(d, LAB_TESTBEDS, (doc) => { doc.testbeds[0].routers.A.phoneSubnet = '198.19.128.0/24'; }),
  },
  // ---- start-app activities ----
  {
    name: 'a start-app activity .Main$IFS;reboot',
    campaign: DEMO, file: THREEMA, keyPath: 'ui.openChat[0].activity',
    prepare: (d) => edit(d, THREEMA, (doc) => { doc.ui.openChat[0] = { action: 'start-app', activity: '.Main$IFS;reboot' }; }),
  },
  {
    name: 'a start-app activity with a space',
    campaign: DEMO, file: THREEMA, keyPath: 'ui.openChat[0].activity',
    prepare: (d) => edit(d, THREEMA, (doc) => { doc.ui.openChat[0] = { action: 'start-app', activity: '.Main -n x' }; }),
  },
  // ---- YAML limits ----
  {
    name: 'a YAML alias bomb',
    campaign: DEMO, file: THREEMA, keyPath: '', says: 'too many aliases',
    prepare: (d) => {
      const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
      fs.writeFileSync(path.join(d, THREEMA), lines.join('\n') + '\n');
    },
  },
  {
    name: 'YAML nested 1000 deep',
    campaign: DEMO, file: THREEMA, keyPath: '', says: 'nested too deeply',
    prepare: (d) => fs.writeFileSync(path.join(d, THREEMA), `schema: ${'['.repeat(1000)}${']'.repeat(1000)}\n`),
  },
  {
    name: 'a 2 MB config file',
    campaign: DEMO, file: NODES, keyPath: '', says: 'too large',
    prepare: (d) => fs.appendFileSync(path.join(d, NODES), `# ${'x'.repeat(2 * 1024 * 1024)}\n`),
  },
  // ---- geo files validated at load ----
  {
    name: 'a corrections file with a bad prefix',
    campaign: DEMO, file: 'geo/corrections.yaml', keyPath: 'corrections[0].prefix',
    prepare: (d) => {
      fs.writeFileSync(path.join(d, 'geo/corrections.yaml'), stringify({ schema: 'matador.geo-corrections/v1', corrections: [{ prefix: 'not-a-prefix', country: 'DE' }] }));
      edit(d, DEMO, (doc) => { doc.geo = { corrections: ['../geo/corrections.yaml'] }; });
    },
  },
  {
    name: 'an interest-groups file with a bad country code',
    campaign: DEMO, file: 'geo/interest-groups.yaml', keyPath: 'groups[0]',
    prepare: (d) => {
      fs.writeFileSync(path.join(d, 'geo/interest-groups.yaml'), stringify({ schema: 'matador.interest-groups/v1', groups: [{ name: 'X', members: { de: [{ from: '2000-01-01' }] } }] }));
      edit(d, DEMO, (doc) => { doc.geo = { interestGroups: '../geo/interest-groups.yaml' }; });
    },
  },
  {
    name: 'an M49 file with the wrong schema',
    campaign: DEMO, file: 'geo/m49.yaml', keyPath: '', says: 'schema must be matador.m49/v1',
    prepare: (d) => {
      edit(d, 'geo/m49.yaml', (doc) => { doc.schema = 'nope'; });
      edit(d, DEMO, (doc) => { doc.geo = { m49: '../geo/m49.yaml' }; });
    },
  },
  {
    name: 'an alias bomb in a geo file',
    campaign: DEMO, file: 'geo/corrections.yaml', keyPath: '', says: 'too many aliases',
    prepare: (d) => {
      const lines = ['a: &a [x,x,x,x,x,x,x,x,x]'];
      for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
      fs.writeFileSync(path.join(d, 'geo/corrections.yaml'), lines.join('\n') + '\n');
      edit(d, DEMO, (doc) => { doc.geo = { corrections: ['../geo/corrections.yaml'] }; });
    },
  },
];

function expectOneLine(message: string, dir: string, c: Pick<BadCase, 'file' | 'keyPath' | 'secret' | 'says'>): void {
  expect(message).not.toMatch(/[\r\n]/);
  expect(message.startsWith(`${c.file}: `)).toBe(true);
  const keyPath = typeof c.keyPath === 'function' ? c.keyPath(dir) : c.keyPath;
  if (keyPath) expect(message).toContain(`${c.file}: ${keyPath}`);
  if (c.says) expect(message).toContain(c.says);
  if (c.secret) {
    expect(message).not.toContain(c.secret);
    expect(message).not.toContain('BEGIN');
  }
}

describe('bad configs are refused at load with one line naming the file and key path', () => {
  it('the shipped configs and the example lab campaign load', () => {
    const dir = copyConfigs();
    for (const campaign of [DEMO, LAB, 'campaigns/geo.yaml', 'campaigns/paper-2015.yaml', 'campaigns/paper-2015-emulated.yaml']) {
      expect(() => loadCampaign(campaign, { cwd: dir })).not.toThrow();
    }
  });

  it.each(BAD.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const dir = copyConfigs();
    c.prepare(dir);
    let caught: unknown;
    try {
      loadCampaign(c.campaign, { cwd: dir });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expectOneLine(error.message, dir, c);
    if (c.secret) expect(JSON.stringify(error)).not.toContain(c.secret);
  });

  it('matador campaign plan: exit 1, one line on stderr naming the file and key path, no key text', async () => {
    const dir = copyConfigs();
    BAD[0].prepare(dir);
    const run = await matador(['campaign', 'plan', path.join(dir, DEMO)]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(run.stderr).not.toContain(SECRET_PART);
    expect(run.stderr).not.toContain('BEGIN');
    expect(lines[0]).toContain(`${path.join(dir, NODES)}: ${keyPathOfDeBer('ssh.identityFile')(dir)}: `);
    expect(lines[0]).toContain('looks like key material, not a path');
  });

  it('matador campaign plan on an alias bomb: exit 1, one line naming the file', async () => {
    const dir = copyConfigs();
    BAD.find((c) => c.name === 'a YAML alias bomb')?.prepare(dir);
    const run = await matador(['campaign', 'plan', path.join(dir, DEMO)]);
    expect(run.code).not.toBe(0);
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${path.join(dir, THREEMA)}: YAML cannot be read (too many aliases`);
  });

  it('the loadCampaign activity fails an alias bomb non-retryably with config_invalid', async () => {
    const dir = copyConfigs();
    BAD.find((c) => c.name === 'a YAML alias bomb')?.prepare(dir);
    const acts = planActivities({ load: (file) => loadCampaignPlan(file, { cwd: dir }), baseDir: dir });
    const failure = await acts.loadCampaign({ config: DEMO }).then(() => null, (err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).type).toBe('config_invalid');
    expect((failure as ApplicationFailure).message).toContain('threema.yaml: YAML cannot be read');
  });
});

describe('key paths of nodes are resolved like those of testbeds', () => {
  it('~/ is the home directory, a relative path is relative to the nodes file', () => {
    const dir = copyConfigs();
    edit(dir, NODES, setNode('de-ber', (n) => { n.ssh = { host: '192.0.2.7', user: 'm', identityFile: '~/.ssh/matador_nodes', knownHostsFile: 'known_hosts' }; }));
    const loaded = loadCampaign(DEMO, { cwd: dir });
    const node = loaded.nodes.find((n) => n.id === 'de-ber');
    expect(node?.ssh?.identityFile).toBe(path.join(os.homedir(), '.ssh', 'matador_nodes'));
    expect(node?.ssh?.knownHostsFile).toBe(path.join(dir, 'nodes', 'known_hosts'));
  });
});

describe("the worker's config cache", () => {
  it('notices a change to any file the campaign references, not only the campaign file', () => {
    const dir = copyConfigs();
    const env = { baseDir: dir } as StepEnv;
    const ctx = { config: { path: DEMO } } as Parameters<typeof campaignOf>[1];
    const first = campaignOf(env, ctx);
    expect(campaignOf(env, ctx)).toBe(first); // cached
    const bump = (rel: string, change: (doc: Doc) => void, mtime: number) => {
      edit(dir, rel, change);
      fs.utimesSync(path.join(dir, rel), mtime, mtime); // a distinct mtime even within one clock tick
    };
    bump(THREEMA, (doc) => { doc.displayName = 'Threema changed'; }, 1_000_000);
    expect(campaignOf(env, ctx).apps.find((a) => a.id === 'threema')?.displayName).toBe('Threema changed');
    bump(NODES, setNode('de-ber', (n) => { n.city = 'Berlin changed'; }), 1_000_001);
    expect(campaignOf(env, ctx).nodes.find((n) => n.id === 'de-ber')?.city).toBe('Berlin changed');
    bump('testbeds/emulated-21.yaml', (doc) => { doc.description = 'changed'; }, 1_000_002); // the demo's testbeds file
    expect(campaignOf(env, ctx)).not.toBe(first);
    bump(THREEMA, (doc) => { doc.timers.betweenMessagesSec = 1e300; }, 1_000_003);
    const failure = (() => {
      try {
        campaignOf(env, ctx);
        return null;
      } catch (err) {
        return err;
      }
    })();
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect([(failure as ApplicationFailure).type, (failure as ApplicationFailure).nonRetryable]).toEqual(['config_invalid', true]);
    expect((failure as ApplicationFailure).message).toContain('apps/threema.yaml: timers.betweenMessagesSec: ');
  });
});

/* ---- fuzz: random mutations of the shipped configs, in memory ---- */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every key path of a document (mappings and lists), the document itself included. */
function keyPaths(doc: Json, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(doc)) doc.forEach((v, i) => keyPaths(v, [...prefix, i], out));
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) keyPaths(v, [...prefix, k], out);
  return out;
}

function nested(value: Json, depth: number): Json {
  let v = value;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

describe('fuzz: mutated shipped configs load or fail with one clean line', () => {
  const GEO_FILES = ['geo/interest-groups.yaml', 'geo/corrections.yaml'];
  const FILES = [DEMO, LAB, NODES, THREEMA, 'apps/whatsapp.yaml', 'testbeds/emulated-2.yaml', LAB_TESTBEDS, ...GEO_FILES];
  const CASES = 400;

  it(`${CASES} seeded mutations`, () => {
    const dir = copyConfigs();
    const texts = new Map<string, string>();
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else texts.set(p, fs.readFileSync(p, 'utf8'));
      }
    };
    walk(dir);
    const random = seededRandom(11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const values: Array<() => Json> = [
      () => null, () => true, () => 0, () => -1, () => 1e308, () => -1e308, () => 2 ** 53 + 1, () => 0.5,
      () => '', () => 'x'.repeat(10_000), () => 'Ä\u0000\u001b[2J\n;reboot', () => [], () => ({}), () => ['a', 1, null],
      () => nested('deep', 40 + Math.floor(random() * 200)), () => '198.19.128.0/24', () => '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA',
    ];
    const outcomes = { loaded: 0, refused: 0 };
    let slowest = 0;
    for (let i = 0; i < CASES; i++) {
      const rel = pick(FILES);
      const file = path.join(dir, rel);
      const original = texts.get(file) as string;
      let text: string;
      const kind = random();
      if (kind < 0.1) {
        // raw text damage: cut, or splice in YAML punctuation
        const at = Math.floor(random() * original.length);
        text = random() < 0.5 ? original.slice(0, at) : original.slice(0, at) + pick(['*a', '&a ', ': :', '[', '{', '- ', '\t', '!!binary ', '<<: *x']) + original.slice(at);
      } else {
        const doc = parse(original) as Json;
        const paths = keyPaths(doc).filter((p) => p.length > 0);
        for (let m = 0; m < 1 + Math.floor(random() * 3); m++) {
          const target = pick(paths);
          let parent = doc as Record<string | number, Json>;
          for (const key of target.slice(0, -1)) parent = parent?.[key] as Record<string | number, Json>;
          if (parent === null || typeof parent !== 'object') continue;
          const key = target[target.length - 1];
          if (random() < 0.25) {
            if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
            else delete parent[key];
          } else parent[key] = pick(values)();
        }
        text = stringify(doc, { aliasDuplicateObjects: false });
      }
      const fsMap = new Map(texts);
      fsMap.set(file, text);
      const memFs: ConfigFs = {
        readFile: (p) => {
          const t = fsMap.get(p);
          if (t === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
          return t;
        },
        exists: (p) => fsMap.has(p),
      };
      const campaign = rel === LAB || rel === LAB_TESTBEDS ? LAB : rel === DEMO ? DEMO : GEO_FILES.includes(rel) ? 'campaigns/geo.yaml' : pick([DEMO, LAB]);
      const started = Date.now();
      try {
        loadCampaign(campaign, { cwd: dir, fs: memFs });
        outcomes.loaded++;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw new Error(`case ${i} (${rel}): not a ConfigError: ${(err as Error)?.stack ?? String(err)}\n--- input ---\n${text.slice(0, 2000)}`);
        expect(err.message).not.toMatch(/[\r\n]/);
        expect(err.message).toMatch(/^(campaigns|apps|nodes|testbeds|geo)\/[a-z0-9-]+\.yaml: /);
        expect(JSON.stringify(err)).not.toContain('BEGIN OPENSSH');
        // a crash dressed as a config error (a parser that trips over a type) is a bug too
        expect(err.message).not.toMatch(/Cannot read propert|is not a function|is not iterable|undefined is not|Maximum call stack/);
        outcomes.refused++;
      }
      slowest = Math.max(slowest, Date.now() - started);
    }
    expect(outcomes.loaded + outcomes.refused).toBe(CASES);
    expect(outcomes.refused).toBeGreaterThan(CASES / 4);
    expect(slowest).toBeLessThan(2000);
  });
});
