import { formatTimings, PhaseFailure, PhaseRunner, webUiUrl } from './demo-phases';

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
