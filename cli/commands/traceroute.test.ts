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
    expect(lines[7]).toBe(' 7  12.255.10.226  25.375 ms  also 12.255.10.224');
    expect(lines[9]).toBe(' 9  8.8.8.8  23.228 ms  also 209.85.252.251 108.170.237.23');
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
