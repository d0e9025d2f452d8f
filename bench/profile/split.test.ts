import { captureWindows, isTracerouteArgv, splitWall, type Op } from './split';

const op = (kind: Op['kind'], start: number, end: number): Op => ({ label: kind, kind, start, end });

describe('splitWall', () => {
  it('gives each moment to the first running kind (traceroute, adb, ssh, polling), the rest is other, parts add up', () => {
    const ops = [op('ssh', 0, 40), op('traceroute', 10, 30), op('adb', 50, 60), op('adb', 55, 70), op('polling', 65, 80), op('phone', 0, 100)];
    expect(splitWall(0, 100, ops)).toEqual({ window: 0, traceroute: 20, adb: 20, ssh: 20, polling: 10, other: 30 });
  });
  it('clips ops to the interval and counts concurrent round trips once', () => {
    expect(splitWall(10, 20, [op('adb', 0, 15), op('adb', 12, 30)])).toEqual({ window: 0, traceroute: 0, adb: 10, ssh: 0, polling: 0, other: 0 });
  });
});

describe('captureWindows', () => {
  const run = (label: string, start: number, end: number): Op => ({ label, kind: 'ssh', start, end });
  it('spans each capture from its start to its stop, both sides at once; the sleep inside goes to the window', () => {
    const ops = [run('ssh script capture-start', 0, 50), run('ssh script capture-start', 2, 55), op('polling', 50, 3050), op('polling', 55, 3055), run('ssh script capture-stop', 3052, 3090), run('ssh script capture-stop', 3056, 3095), run('sftp get', 3090, 3150)];
    const windows = captureWindows(ops);
    expect(windows.map((w) => [w.start, w.end])).toEqual([
      [50, 3052],
      [55, 3056],
    ]);
    expect(splitWall(0, 3150, [...ops, ...windows])).toEqual({ window: 3006, traceroute: 0, adb: 0, ssh: 144, polling: 0, other: 0 });
  });
  it('has none without a capture, or with a start that never stopped', () => {
    expect(captureWindows([op('polling', 0, 100)])).toEqual([]);
    expect(captureWindows([run('ssh script capture-start', 0, 50)])).toEqual([]);
  });
});

describe('isTracerouteArgv', () => {
  it.each([
    [['scamper', '-O', 'json', '-i', '198.18.0.1'], true],
    [['sudo', '-n', '--', 'scamper', '-O', 'json'], true],
    [['traceroute', '-n', '-T', '198.18.0.1'], true],
    [['sh', '-c', 'command -v scamper traceroute'], false],
    [['ip', '-j', 'link'], false],
  ])('%p -> %p', (argv, yes) => {
    expect(isTracerouteArgv(argv)).toBe(yes);
  });
});
