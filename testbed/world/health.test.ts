import { worldHealth, type WorldStatusView } from './health';

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
