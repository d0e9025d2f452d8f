import { ApplicationFailure } from '@temporalio/activity';
import { faultInjectionFromEnv, INJECTED_FAULT_TYPE, maybeInjectFaults, withInjectedFaults } from './fault-injection';
import type { MatadorActivities } from '../lib/measurement/steps';

type Partial2 = Pick<MatadorActivities, 'provisionTunnels' | 'persistRecord'>;

function counted(): { activities: Partial2; calls: { provision: number; persist: number } } {
  const calls = { provision: 0, persist: 0 };
  const activities: Partial2 = {
    provisionTunnels: async () => {
      calls.provision++;
      return { tunnels: [] };
    },
    persistRecord: async () => {
      calls.persist++;
      return { stored: 'x' };
    },
  };
  return { activities, calls };
}

async function outcomes(a: Partial2, n: number): Promise<Array<'ok' | ApplicationFailure>> {
  const out: Array<'ok' | ApplicationFailure> = [];
  for (let i = 0; i < n; i++) {
    out.push(await a.provisionTunnels({ ctx: {} as never }).then(() => 'ok' as const, (e: ApplicationFailure) => e));
  }
  return out;
}

describe('withInjectedFaults', () => {
  it('fails about the given share of step calls with a retryable failure before the real step runs', async () => {
    const { activities, calls } = counted();
    const wrapped = withInjectedFaults(activities, { rate: 0.1, seed: 42 });
    const results = await outcomes(wrapped, 5000);
    const faults = results.filter((r) => r !== 'ok') as ApplicationFailure[];
    expect(faults.length).toBeGreaterThan(400);
    expect(faults.length).toBeLessThan(600);
    expect(calls.provision).toBe(5000 - faults.length); // the real step never ran for a fault
    expect(faults[0]).toBeInstanceOf(ApplicationFailure);
    expect(faults[0].type).toBe(INJECTED_FAULT_TYPE);
    expect(faults[0].nonRetryable).toBe(false);
    expect(faults[0].message).toBe('provisionTunnels: injected transient fault (rate 0.1)');
  });

  it('is reproducible for a seed and different for another seed', async () => {
    const pattern = async (seed: number) =>
      (await outcomes(withInjectedFaults(counted().activities, { rate: 0.3, seed }), 200)).map((r) => (r === 'ok' ? '.' : 'x')).join('');
    expect(await pattern(7)).toBe(await pattern(7));
    expect(await pattern(7)).not.toBe(await pattern(8));
  });

  it('leaves persistRecord alone and returns the activities unchanged at rate 0', async () => {
    const { activities, calls } = counted();
    const wrapped = withInjectedFaults(activities, { rate: 0.99, seed: 1 });
    for (let i = 0; i < 50; i++) await wrapped.persistRecord({ record: {} as never });
    expect(calls.persist).toBe(50);
    expect(withInjectedFaults(activities, { rate: 0, seed: 1 })).toBe(activities);
  });

  it('refuses a rate outside [0, 1)', () => {
    expect(() => withInjectedFaults(counted().activities, { rate: 1, seed: 1 })).toThrow('fault injection: rate must be a number in [0, 1), got 1');
  });
});

describe('fault injection from the environment', () => {
  it('is off when MATADOR_INJECT_FAULTS is unset or empty', () => {
    const { activities } = counted();
    expect(faultInjectionFromEnv({})).toBeNull();
    expect(faultInjectionFromEnv({ MATADOR_INJECT_FAULTS: '' })).toBeNull();
    expect(maybeInjectFaults(activities, {})).toBe(activities);
  });

  it('reads rate and seed', () => {
    expect(faultInjectionFromEnv({ MATADOR_INJECT_FAULTS: '0.1', MATADOR_INJECT_FAULTS_SEED: '5' })).toEqual({ rate: 0.1, seed: 5 });
    expect(faultInjectionFromEnv({ MATADOR_INJECT_FAULTS: '0.25' })).toEqual({ rate: 0.25, seed: process.pid });
  });

  it('names the variable and value when they are wrong', () => {
    expect(() => faultInjectionFromEnv({ MATADOR_INJECT_FAULTS: 'ten' })).toThrow('MATADOR_INJECT_FAULTS: expected a rate in [0, 1) such as 0.1, got "ten"');
    expect(() => faultInjectionFromEnv({ MATADOR_INJECT_FAULTS: '0.1', MATADOR_INJECT_FAULTS_SEED: 'x' })).toThrow(
      'MATADOR_INJECT_FAULTS_SEED: expected an integer, got "x"',
    );
  });
});
