import * as fs from 'fs';
import * as path from 'path';
import { parseScamperJson } from '../../lib/traceroute';
import { DriverConfigError } from '../ssh/failures';
import { scamperBatchArgv, splitBatchOutput } from './trace-batch';
import { tracerouteArgv } from './traceroute';

const TWO = fs.readFileSync(path.join(__dirname, '..', '..', 'test', 'fixtures', 'traceroute', 'scamper-two-traces-in-one-output', 'input.jsonl'), 'utf8');

test('one scamper, each trace the command a run of its own would get, one budget for all, no task window', () => {
  const reqs = [
    { backend: 'scamper' as const, target: '198.18.50.10', protocol: 'tcp' as const, port: 443 },
    { backend: 'scamper' as const, target: '198.18.3.102', protocol: 'udp' as const, port: 3478, maxHops: 20 },
  ];
  const argv = scamperBatchArgv(reqs, 40);
  expect(argv).toEqual([
    'scamper', '-O', 'json', '-p', '40', '-w', '0',
    '-I', 'trace -P tcp -d 443 -m 30 -q 2 -w 2 198.18.50.10',
    '-I', 'trace -P udp-paris -d 3478 -m 20 -q 2 -w 2 198.18.3.102',
  ]);
  // The same trace command as the single run's -c, with its target.
  expect(argv[10]).toBe(`${tracerouteArgv(reqs[1])[6]} ${tracerouteArgv(reqs[1])[8]}`);
});

test('only single-path scamper traces are batched; targets are validated as for one run', () => {
  expect(() => scamperBatchArgv([], 20)).toThrow(DriverConfigError);
  expect(() => scamperBatchArgv([{ backend: 'traceroute', target: '198.18.1.1', protocol: 'tcp', port: 1 }], 20)).toThrow(/only single-path scamper/);
  expect(() => scamperBatchArgv([{ backend: 'scamper', target: '198.18.1.1', protocol: 'tcp', port: 1, mda: true }], 20)).toThrow(/tracelb/);
  expect(() => scamperBatchArgv([{ backend: 'scamper', target: '-x 1.2.3.4', protocol: 'tcp', port: 1 }], 20)).toThrow(DriverConfigError);
});

test('the output splits into one raw output per trace (with the run\'s cycle lines), keyed by destination, protocol and port', () => {
  const parts = splitBatchOutput(TWO);
  expect(parts.map((p) => p.key)).toEqual(['198.18.50.10 tcp 443', '2001:db8:40::7 icmp ']);
  for (const p of parts) {
    const lines = p.raw.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]).type).toBe('cycle-start');
    expect(JSON.parse(lines[2]).type).toBe('cycle-stop');
    // Each part is what a scamper run of that one trace prints: one trace, as in the whole output.
    expect(parseScamperJson(p.raw, { from: 'B' })).toHaveLength(1);
  }
  const whole = parseScamperJson(TWO, { from: 'B' });
  expect(parts.map((p) => parseScamperJson(p.raw, { from: 'B' })[0])).toEqual(whole);
  expect(splitBatchOutput('not json\n{"type":"ping"}\n')).toEqual([]);
});
