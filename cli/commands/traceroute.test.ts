import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { CliError } from '../errors';
import { detectFormat, parseTraceFile, register } from './traceroute';

const DIALECTS = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'traceroute', 'dialects');
const FREEBSD = path.join(DIALECTS, 'freebsd12--traceroute.out');

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['traceroute', 'parse', ...args], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('matador traceroute parse', () => {
  it('prints one line a hop, with the other responders of a BSD continuation line', async () => {
    const out = await run([FREEBSD]);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('trace to 8.8.8.8, traceroute, 9 hops, destination reached');
    expect(lines[3]).toBe(' 3  *');
    expect(lines[7]).toMatch(/^ 7 {2}12\.255\.10\.226 {2}25\.375 ms {2}also 12\.255\.10\.224 [\d.]+ ms/);
    expect(lines[9]).toMatch(/^ 9 {2}8\.8\.8\.8 {2}23\.228 ms {2}also 209\.85\.252\.251 [\d.]+ ms, 108\.170\.237\.23 [\d.]+ ms/);
  });

  it('prints AS numbers, and every branch of a scamper tracelb (MDA) trace with its times; --json keeps them', async () => {
    const asn = (await run([path.join(DIALECTS, 'osx-10.14.6--traceroute-asn.out')])).split('\n');
    expect(asn[1]).toBe(' 1  192.168.1.254  [AS198949]  6.07 ms  5.721 ms  5.269 ms');
    const mda = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'traceroute', 'real-scamper-tracelb-udp-sport-two-branches', 'input.jsonl');
    const lines = (await run([mda, '--format', 'scamper-json'])).split('\n');
    expect(lines[0]).toBe('trace to 198.18.60.26, scamper tracelb (MDA), 4 hops, destination reached');
    expect(lines[2]).toMatch(/^ 2 {2}198\.18\.60\.6 {2}([\d.]+ ms {2})+also 198\.18\.60\.10( [\d.]+ ms)+$/);
    const traces = JSON.parse(await run([mda, '--json'])) as Array<{ method: string; hops: Array<{ otherInterfaces?: Array<{ ip: string }> }> }>;
    expect(traces[0].method).toBe('tracelb');
    expect(traces[0].hops[1].otherInterfaces?.map((i) => i.ip)).toEqual(['198.18.60.10']);
    const jsonAsn = JSON.parse(await run([path.join(DIALECTS, 'osx-10.14.6--traceroute-asn.out'), '--json'])) as Array<{ hops: Array<{ asn?: number }> }>;
    expect(jsonAsn[0].hops.map((h) => h.asn ?? null)).toEqual([198949, 0, null, 7018]);
  });

  it('prints the traces as JSON with --json', async () => {
    const traces = JSON.parse(await run([FREEBSD, '--json', '--protocol', 'icmp'])) as Array<{ protocol: string; hops: unknown[] }>;
    expect(traces).toHaveLength(1);
    expect(traces[0].protocol).toBe('icmp');
    expect(traces[0].hops).toHaveLength(9);
  });

  it('reads scamper JSON, detected or named', async () => {
    const file = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'traceroute', 'real-scamper-icmp-paris', 'input.jsonl');
    const text = fs.readFileSync(file, 'utf8');
    expect(detectFormat(text)).toBe('scamper-json');
    expect(parseTraceFile(file, text, { format: 'scamper-json', json: false, protocol: 'udp' })[0].tool).toBe('scamper');
    expect(await run([file])).toMatch(/^trace to \S+, scamper, \d+ hops, destination /);
  });

  it('refuses unreadable text in one escaped line naming file and line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-trace-'));
    const file = path.join(dir, 'bad.txt');
    fs.writeFileSync(file, 'traceroute to 192.0.2.7 (192.0.2.7), 30 hops max, 60 byte packets\n 1  what\u202e?  1.0 ms\n');
    await expect(run([file])).rejects.toThrow(CliError);
    await expect(run([file])).rejects.toThrow(`${file}:2: not readable as traceroute output: unexpected "what\\u{202e}?"`);
    await expect(run([file, '--format', 'xml'])).rejects.toThrow('--format: expected one of auto, traceroute, scamper-json, got "xml"');
    await expect(run([path.join(dir, 'missing.txt')])).rejects.toThrow('missing.txt: cannot read');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
