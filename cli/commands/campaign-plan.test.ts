import { Command } from 'commander';
import { matador } from '../../test/support/matador-cli';
import { register, registerPlan } from './campaign-plan';


describe('matador campaign plan', () => {
  it('shows how long compressed timers take as run when waits fall under the server minimum timer', async () => {
    const compressed = await matador(['campaign', 'plan', 'configs/campaigns/paper-2015-emulated.yaml']);
    expect(compressed.code).toBe(0);
    expect(compressed.stdout).toContain('wechat       WeChat 6.2.4 (com.tencent.mm), 10 messages, 6.6 s of capture, 12 s as run');
    expect(compressed.stdout).toContain('the Temporal server fires no timer sooner than 1 s after it starts');
    const paper = await matador(['campaign', 'plan', 'configs/campaigns/paper-2015.yaml']);
    expect(paper.stdout).toContain('10 messages, 330 s of capture\n');
    expect(paper.stdout).not.toContain('as run');
  });

  it('--json prints the expanded paper plan', async () => {
    const run = await matador(['campaign', 'plan', 'configs/campaigns/paper-2015.yaml', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan.schema).toBe('matador.plan/v1');
    expect(plan.campaign.id).toBe('paper-2015');
    expect(plan.measurements).toHaveLength(1624);
    expect(plan.pairs).toHaveLength(406);
    expect(plan.selfPairs).toBe(28);
    expect(plan.apps.map((a: { id: string }) => a.id)).toEqual(['textsecure', 'threema', 'wechat', 'whatsapp']);
    expect(plan.nodes).toHaveLength(28);
    const europe = plan.areas.find((a: { level: string; area: string }) => a.level === 'region' && a.area === 'Europe');
    expect(europe).toMatchObject({ nodes: 15, pairs: 120, measurements: 480 });
    expect(plan.measurements[0].measurementId).toBe('paper-2015/textsecure/us-bos/us-bos');
  });

  it('prints a readable summary without --json', async () => {
    const run = await matador(['campaign', 'plan', 'configs/campaigns/demo.yaml']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Campaign demo');
    expect(run.stdout).toContain('Measurements: 84 (4 apps x 21 node pairs)');
    expect(run.stdout).toContain('Pairs: 21 per app, 6 of them self-pairs');
    expect(run.stdout).toMatch(/^ {2}Europe +2 +3 +12$/m);
    expect(run.stdout).toMatch(/^ {4}Northern America +1 +1 +4$/m);
  });

  it('an invalid config: exit code 1, one line on stderr naming file, key path and value, no stack trace', async () => {
    const run = await matador(['campaign', 'plan', 'test/fixtures/config/campaign-invalid-app.yaml']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'matador: test/fixtures/config/app-timer-string.yaml: timers.betweenMessagesSec: expected a number between 0 and 86400, got "ten" ' +
        '(referenced by test/fixtures/config/campaign-invalid-app.yaml apps[0])\n',
    );
  });

  it('a YAML syntax error and a missing file are one line too', async () => {
    const syntax = await matador(['campaign', 'plan', 'test/fixtures/config/app-yaml-syntax.yaml']);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toBe('matador: test/fixtures/config/app-yaml-syntax.yaml: line 12, column 26: YAML syntax error: Nested mappings are not allowed in compact mappings\n');
    const missing = await matador(['campaign', 'plan', 'configs/campaigns/no-such-campaign.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('matador: configs/campaigns/no-such-campaign.yaml: cannot read config file: no such file\n');
  });

  it('--help explains the command', async () => {
    const run = await matador(['campaign', 'plan', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: matador campaign plan [options] <file>');
    expect(run.stdout).toContain('self-pairs');
    expect(run.stdout).toContain('--json');
  });
});

describe('composing the campaign command', () => {
  it('adds plan to an existing campaign command, and creates one only when missing', () => {
    const program = new Command('matador');
    const campaign = program.command('campaign');
    campaign.command('start');
    register(program);
    register(program); // idempotent
    expect(program.commands.filter((c) => c.name() === 'campaign')).toHaveLength(1);
    expect(campaign.commands.map((c) => c.name())).toEqual(['start', 'plan']);

    const fresh = new Command('matador');
    register(fresh);
    const created = fresh.commands.find((c) => c.name() === 'campaign');
    expect(created?.commands.map((c) => c.name())).toEqual(['plan']);
    registerPlan(created!);
    expect(created?.commands.map((c) => c.name())).toEqual(['plan']);
  });
});
