import { accountCpu, matadorClassifier, parseStat, type ProcSample } from './cpu';

const stat = (pid: number, comm: string, ppid: number, own: [number, number], children: [number, number], start = 100): string =>
  `${pid} (${comm}) S ${ppid} 1 1 0 -1 4194560 100 0 0 0 ${own[0]} ${own[1]} ${children[0]} ${children[1]} 20 0 1 0 ${start} 1000 100`;

describe('parseStat', () => {
  it('reads pid, ppid, own and children ticks and start time, also with spaces and parentheses in comm', () => {
    expect(parseStat(stat(42, 'sshd: matador (priv)', 7, [10, 5], [3, 2], 777))).toEqual({ pid: 42, ppid: 7, comm: 'sshd: matador (priv)', own: 15, children: 5, starttime: 777 });
  });
  it('gives null for a line it cannot read', () => {
    expect(parseStat('garbage')).toBeNull();
  });
});

describe('accountCpu', () => {
  const s = (line: string): ProcSample => parseStat(line)!;
  it('counts own ticks since the start, and what exited children used that no sample saw through the parent', () => {
    const sshd = { kind: 'sshd', ppid: 1, atStart: true, alive: true, first: s(stat(10, 'sshd', 1, [100, 0], [50, 0])), last: s(stat(10, 'sshd', 1, [130, 0], [50 + 200 + 40, 0])) };
    // a session process seen alive, then gone: its 150 own + 50 children ticks went to sshd's cutime
    const session = { kind: 'sshd', ppid: 10, atStart: false, alive: false, first: s(stat(20, 'sshd', 10, [10, 0], [0, 0], 500)), last: s(stat(20, 'sshd', 10, [150, 0], [50, 0], 500)) };
    // scamper seen under the session: counted as its own kind, not again as the session's child
    const scamper = { kind: 'scamper', ppid: 20, atStart: false, alive: false, first: s(stat(30, 'scamper', 20, [5, 0], [0, 0], 600)), last: s(stat(30, 'scamper', 20, [30, 0], [0, 0], 600)) };
    const byKind = accountCpu([sshd, session, scamper], 100);
    expect(byKind.scamper).toEqual({ processes: 1, own: 0.3, exitedChildren: 0 });
    // sshd: own 30 ticks + session's 150; exited children: sshd grew by 240, 200 of it the session (seen) -> 40 unseen;
    // the session grew by 50, 30 of it scamper (seen) -> 20 unseen
    expect(byKind.sshd.processes).toBe(2);
    expect(byKind.sshd.own).toBeCloseTo(1.8);
    expect(byKind.sshd.exitedChildren).toBeCloseTo(0.6);
  });

  it('counts a grandchild once when its parent exited before a sample showed the reaping', () => {
    const xargs = { kind: 'tools', ppid: 1, atStart: true, alive: true, first: s(stat(10, 'xargs', 1, [0, 0], [0, 0])), last: s(stat(10, 'xargs', 1, [0, 0], [310, 0])) };
    // the shell's last sample has no children yet; then node (300 ticks, seen) exited, then the shell (10 ticks)
    const shell = { kind: 'tools', ppid: 10, atStart: false, alive: false, first: s(stat(20, 'sh', 10, [0, 0], [0, 0], 500)), last: s(stat(20, 'sh', 10, [10, 0], [0, 0], 500)) };
    const node = { kind: 'node', ppid: 20, atStart: false, alive: false, first: s(stat(30, 'node', 20, [5, 0], [0, 0], 600)), last: s(stat(30, 'node', 20, [300, 0], [0, 0], 600)) };
    const byKind = accountCpu([xargs, shell, node], 100);
    expect(byKind.node.own).toBeCloseTo(3);
    expect(byKind.tools.own).toBeCloseTo(0.1);
    expect(byKind.tools.exitedChildren).toBeCloseTo(0);
  });
});

describe('matadorClassifier', () => {
  const classify = matadorClassifier(4242);
  it.each([
    [{ pid: 4242, comm: 'node', cmdline: 'node bench/profile/run.ts', ours: true }, 'bench (client + sampler)'],
    [{ pid: 7, comm: 'node', cmdline: 'node --require tsx bench/profile/worker.ts --role central', ours: true }, 'workers (node)'],
    [{ pid: 1, comm: 'node', cmdline: '/usr/bin/node bin/matador worker --role testbed --testbed tb1', ours: true }, 'workers (node)'],
    [{ pid: 2, comm: 'temporal', cmdline: '.tools/bin/temporal server start-dev --port 7233', ours: true }, 'Temporal server'],
    [{ pid: 3, comm: 'node', cmdline: '/usr/bin/node dist/testbed/phone/app-main.js x.json', ours: true }, 'virtual phones (adbd + apps)'],
    [{ pid: 9, comm: 'node', cmdline: '/usr/bin/node /w/dist/testbed/world/phone-daemon.js /w/.matador/world/paper/phones.json', ours: true }, 'virtual phones (adbd + apps)'],
    [{ pid: 10, comm: 'node', cmdline: '/usr/bin/node /w/dist/testbed/world/responder.js', ours: true }, 'service emulators'],
    [{ pid: 11, comm: 'mt-nfq-delay', cmdline: '/w/.matador/world/paper/bin/mt-nfq-delay 1:14', ours: true }, 'delay daemon (nfq-delay)'],
    [{ pid: 4, comm: 'scamper', cmdline: 'scamper -O json -i 198.18.0.1', ours: true }, 'scamper / traceroute'],
    [{ pid: 5, comm: 'dropbear', cmdline: 'dropbear -F -E', ours: true }, 'sshd / dropbear'],
    [{ pid: 6, comm: 'kworker/0:1', cmdline: '', ours: false }, 'kernel threads'],
    [{ pid: 8, comm: 'node', cmdline: 'node bin/matador flows x.pcap', ours: false }, "others' processes (not the bench's)"],
  ])('%p -> %s', (p, kind) => {
    expect(classify(p)).toBe(kind);
  });
});
