import { formatTimings, PhaseFailure, PhaseRunner, webUiUrl, worldHealth, type WorldStatusView } from './demo-phases';

const up = (over: Partial<WorldStatusView> = {}): WorldStatusView => ({
  state: { world: 'paper', status: 'up', failure: null, testbeds: [{ id: 'tb1' }, { id: 'tb2' }, { id: 'tb3' }, { id: 'tb4' }] },
  namespacesPresent: 90,
  namespacesExpected: 90,
  processesDead: [],
  ...over,
});

describe('worldHealth', () => {
  it('accepts a complete world with the testbeds the campaign needs', () => {
    expect(worldHealth(up(), 'paper', ['tb1', 'tb2'])).toEqual({ healthy: true, reason: 'world paper is up with testbeds tb1, tb2, tb3, tb4' });
  });

  it('names why a world cannot be reused', () => {
    const reasons = [
      worldHealth(up({ state: null, namespacesPresent: 0 }), 'paper', ['tb1']),
      worldHealth(up({ state: null, namespacesPresent: 7 }), 'paper', ['tb1']),
      worldHealth(up({ state: { world: 'small', status: 'up', testbeds: [{ id: 'tb1' }] } }), 'paper', ['tb1']),
      worldHealth(up({ state: { world: 'paper', status: 'failed', failure: 'sshd did not start', testbeds: [] } }), 'paper', ['tb1']),
      worldHealth(up({ namespacesPresent: 80 }), 'paper', ['tb1']),
      worldHealth(up({ processesDead: ['sshd-pl-waw', 'phone-tb1-pa'] }), 'paper', ['tb1']),
      worldHealth(up(), 'paper', ['tb1', 'tb9']),
    ];
    expect(reasons).toEqual([
      { healthy: false, reason: 'no world is up' },
      { healthy: false, reason: 'no world state but 7 leftover namespaces' },
      { healthy: false, reason: 'world small is up, not paper' },
      { healthy: false, reason: 'world paper is failed (sshd did not start)' },
      { healthy: false, reason: 'only 80 of 90 namespaces present' },
      { healthy: false, reason: 'dead processes: sshd-pl-waw, phone-tb1-pa' },
      { healthy: false, reason: 'world paper has no testbed tb9' },
    ]);
  });
});

describe('webUiUrl', () => {
  it('filters the workflow list by the campaign search attribute', () => {
    expect(webUiUrl('http://127.0.0.1:8233/', 'default', 'demo')).toBe(
      'http://127.0.0.1:8233/namespaces/default/workflows?query=MatadorCampaign%3D%22demo%22',
    );
  });
});

describe('formatTimings', () => {
  it('prints one aligned row per phase and the total', () => {
    expect(
      formatTimings(
        [
          { phase: 'setup', seconds: 2.04, note: 'scripts/setup' },
          { phase: 'campaign', seconds: 612.5, note: '84 of 84 run' },
        ],
        640.123,
      ),
    ).toBe(['[demo] time per phase:', '  setup         2.0 s  scripts/setup', '  campaign    612.5 s  84 of 84 run', '  total       640.1 s'].join('\n'));
  });
});

describe('PhaseRunner', () => {
  it('says what each phase does, records its time and note', async () => {
    const lines: string[] = [];
    const runner = new PhaseRunner((l) => lines.push(l));
    await runner.run('server', 'Temporal dev server', async () => 'reused');
    expect(lines[0]).toBe('[demo] server: Temporal dev server ...');
    expect(lines[1]).toMatch(/^\[demo\] server: reused \(\d+\.\d s\)$/);
    expect(runner.timings).toEqual([{ phase: 'server', seconds: expect.any(Number), note: 'reused' }]);
  });

  it('turns an error into one line naming the phase and the file to look at', async () => {
    const runner = new PhaseRunner(() => undefined);
    const fromLog = await runner
      .run('workers', 'workers', async () => {
        throw Object.assign(new Error('worker testbed-tb1 exited at start: cannot reach Temporal\nstack...'), { logFile: '/x/.matador/workers/testbed-tb1.log' });
      })
      .catch((e: unknown) => e);
    expect(fromLog).toBeInstanceOf(PhaseFailure);
    expect((fromLog as PhaseFailure).line()).toBe(
      'demo: phase "workers" failed: worker testbed-tb1 exited at start: cannot reach Temporal; look at /x/.matador/workers/testbed-tb1.log',
    );
    const fallback = await runner.run('world', 'world', async () => Promise.reject(new Error('boom')), '/x/world-up.log').catch((e: unknown) => e);
    expect((fallback as PhaseFailure).line()).toBe('demo: phase "world" failed: boom; look at /x/world-up.log');
    expect(runner.timings).toEqual([]);
  });
});
