import { isTracerouteArgv, splitWall, type Op } from './split';

const op = (kind: Op['kind'], start: number, end: number): Op => ({ label: kind, kind, start, end });

describe('splitWall', () => {
  it('gives each moment to the first running kind (traceroute, adb, ssh, polling), the rest is other, parts add up', () => {
    const ops = [op('ssh', 0, 40), op('traceroute', 10, 30), op('adb', 50, 60), op('adb', 55, 70), op('polling', 65, 80), op('phone', 0, 100)];
    expect(splitWall(0, 100, ops)).toEqual({ traceroute: 20, adb: 20, ssh: 20, polling: 10, other: 30 });
  });
  it('clips ops to the interval and counts concurrent round trips once', () => {
    expect(splitWall(10, 20, [op('adb', 0, 15), op('adb', 12, 30)])).toEqual({ traceroute: 0, adb: 10, ssh: 0, polling: 0, other: 0 });
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
