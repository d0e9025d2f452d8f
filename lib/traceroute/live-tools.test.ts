/**
 * The parsers against the traceroute and scamper installed on this machine, run live on
 * LOOPBACK ONLY (127.0.0.1 / ::1; the mark test uses a throw-away `unshare -n` namespace that
 * has nothing but its own lo). Complements the captured `real-*` golden fixtures: if a tool
 * update changes the output format, this fails. Needs root (raw sockets for -T/-I and scamper).
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import { parseScamperJson } from './scamper-json';
import { parseTracerouteText } from './traceroute-text';

const run = promisify(execFile);
const TIMEOUT_MS = 30_000;

async function stdout(command: string, args: string[]): Promise<string> {
  const result = await run(command, args, { timeout: TIMEOUT_MS });
  return result.stdout;
}

describe('live traceroute on loopback', () => {
  it.each([
    { args: ['-n', '-T', '-p', '443', '127.0.0.1'], protocol: 'tcp' as const, port: 443, target: '127.0.0.1' },
    { args: ['-I', '127.0.0.1'], protocol: 'icmp' as const, port: null, target: '127.0.0.1' },
    { args: ['-n', '-U', '-p', '53', '127.0.0.1'], protocol: 'udp' as const, port: 53, target: '127.0.0.1' },
    { args: ['-n', '::1'], protocol: 'udp' as const, port: null, target: '::1' },
  ])('traceroute $args', async ({ args, protocol, port, target }) => {
    // One probe at a time (-N 1): a burst of simultaneous probes can exhaust the kernel's
    // global ICMP allowance when earlier tests were busy, and the lost answers print as '*'.
    const text = await stdout('traceroute', ['-N', '1', ...args]);
    const trace = parseTracerouteText(text, { from: 'A', protocol, port });
    expect(trace).toMatchObject({ from: 'A', target, protocol, port, tool: 'traceroute', destinationReached: true });
    expect(trace.hops).toHaveLength(1);
    expect(trace.hops[0]).toMatchObject({ ttl: 1, ip: target, otherIps: [], marks: [] });
    // Every answered probe printed on the hop line becomes one RTT, whether or not all three came back.
    const hopLine = text.split('\n').find((line) => /^\s*1\s/.test(line)) ?? '';
    const printedRtts = hopLine.match(/[\d.]+ ms/g) ?? [];
    expect(printedRtts.length).toBeGreaterThanOrEqual(1);
    expect(trace.hops[0].rttMs).toEqual(printedRtts.map((token) => Number.parseFloat(token)));
  });

  it('traceroute marks !H from a host-unreachable reject in a private namespace', async () => {
    const script = 'ip link set lo up && iptables -A INPUT -i lo -p udp -j REJECT --reject-with icmp-host-unreachable && exec traceroute -n -m 2 -w 1 127.0.0.1';
    const trace = parseTracerouteText(await stdout('unshare', ['-n', 'sh', '-c', script]), { from: 'B', protocol: 'udp', port: null });
    expect(trace.hops).toEqual([{ ttl: 1, ip: '127.0.0.1', rttMs: expect.any(Array), country: null, otherIps: [], marks: ['!H'] }]);
  });
});

describe('live scamper on loopback', () => {
  it.each([
    { method: 'icmp-paris', target: '127.0.0.1', protocol: 'icmp', port: null },
    { method: 'udp-paris', target: '127.0.0.1', protocol: 'udp', port: 33435 },
    { method: 'icmp-paris', target: '::1', protocol: 'icmp', port: null },
  ])('scamper trace -P $method $target', async ({ method, target, protocol, port }) => {
    const traces = parseScamperJson(await stdout('scamper', ['-O', 'json', '-c', `trace -P ${method}`, '-i', target]), { from: 'A' });
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({ target, protocol, port, tool: 'scamper', stopReason: 'COMPLETED', destinationReached: true });
    expect(traces[0].hops).toEqual([{ ttl: 1, ip: target, rttMs: [expect.any(Number)], country: null, otherIps: [], marks: [] }]);
  });
});
