/**
 * All files of the tcpdump test corpus: each gives flows or a clean one-line error, none
 * crashes, none runs past PER_FILE_LIMIT_MS (a hang guard that fails the test, not a speed
 * assertion). The files run in one child process through the library; the CLI is spawned
 * only for a sample, to check its output and one-line error format. A handful of files that
 * tshark reads as TCP/UDP are compared with tshark's conversations and the matches recorded.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { extractFlows } from '../../lib/capture';
import { pcapngFile } from '../../lib/capture/pcap-writer';
import { projectRoot, sharedDir } from '../../lib/project-paths';
import type { CorpusLine } from './corpus-runner';
import { asConversations, conversationLines, tsharkConversations } from './tshark-conversations';

const CORPUS = path.join(sharedDir, 'corpus', 'tcpdump-tests');
const PER_FILE_LIMIT_MS = 10000;
const run = promisify(execFile);

jest.setTimeout(600000);

function corpusFiles(): string[] {
  return fs
    .readdirSync(CORPUS)
    .filter((n) => /\.pcap(ng)?$/.test(n))
    .sort()
    .map((n) => path.join(CORPUS, n));
}

/** Run the runner over the files; reject naming the file that exceeded the per-file limit. */
function runCorpus(files: string[]): Promise<CorpusLine[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'corpus-runner.ts'), ...files], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: CorpusLine[] = [];
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${files[lines.length]} did not finish within ${PER_FILE_LIMIT_MS} ms`));
      }, PER_FILE_LIMIT_MS + 5000 * (lines.length === 0 ? 1 : 0)); // the first file also pays for start-up
    };
    arm();
    child.stdout.on('data', (data: Buffer) => {
      buffered += data.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buffered.slice(0, newline)) as CorpusLine);
        buffered = buffered.slice(newline + 1);
        arm();
      }
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(lines);
      else reject(new Error(`corpus runner exited with ${code ?? signal} after ${lines.length} files: ${stderr}`));
    });
  });
}

describe('tcpdump test corpus', () => {
  const files = corpusFiles();
  let lines: CorpusLine[] = [];

  beforeAll(async () => {
    lines = await runCorpus(files);
  });

  it('has the 830 files', () => {
    expect(files).toHaveLength(830);
  });

  it('reads every file to flows or a clean one-line capture-format error, each within the limit', () => {
    expect(lines.map((l) => l.file)).toEqual(files);
    for (const line of lines) {
      expect(line.ms).toBeLessThan(PER_FILE_LIMIT_MS);
      if (line.ok) {
        expect(line.packets).toBeGreaterThanOrEqual(0);
      } else {
        expect({ file: line.file, name: line.errorName }).toEqual({ file: line.file, name: 'CaptureFormatError' });
        expect(line.error).not.toMatch(/\n/);
      }
    }
    const withFlows = lines.filter((l) => l.ok && (l.flows ?? 0) > 0).length;
    const errors = lines.filter((l) => !l.ok).length;
    const cutShort = lines.filter((l) => l.cutShort).length;
    process.stdout.write(`corpus: ${lines.length} files, ${withFlows} with flows, ${errors} errors, ${cutShort} cut short\n`);
    expect(withFlows).toBeGreaterThan(200);
  });

  it('agrees with tshark on a sample of TCP/UDP files', async () => {
    const sample = [
      'whois.pcap', 'zmtp1.pcap', 'tftp.pcap', 'ssh.pcap', 'print-flags.pcap', 'gquic.pcap', 'bgp-cease-hard-reset.pcap',
      'bfd-raw-auth-md5.pcap', 'LINKTYPE_RAW_ipv4.pcap', 'ikev2-id-normal.pcap', 'bgp-extended-shutdown-msg.pcapng',
      'dhcpv6-ntp-server.pcap', 'edns-opts.pcap', 'dns_udp.pcap', 'ahcp.pcapng', 'ipv6-bad-version.pcap',
      'geneve.pcap', 'mpls-over-udp.pcap',
    ].map((n) => path.join(CORPUS, n)).filter((f) => fs.existsSync(f));
    const matched: string[] = [];
    const differing: string[] = [];
    for (const file of sample) {
      const theirs = conversationLines(await tsharkConversations(file));
      if (theirs.length === 0) continue;
      const ours = conversationLines(asConversations((await extractFlows(fs.createReadStream(file))).flows));
      (JSON.stringify(ours) === JSON.stringify(theirs) ? matched : differing).push(path.basename(file));
    }
    process.stdout.write(`tshark agreement: ${matched.length}/${matched.length + differing.length} (differing: ${differing.join(', ') || 'none'})\n`);
    expect(differing).toEqual([]);
    expect(matched.length).toBeGreaterThanOrEqual(15);
  });
});

describe('matador flows (CLI sample)', () => {
  const bin = path.join(projectRoot, 'bin', 'matador');
  let dir = '';

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtcap-cli-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the contract JSON with --json', async () => {
    const file = path.join(CORPUS, 'whois.pcap');
    const { stdout } = await run(bin, ['flows', file, '--json']);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(report).slice(0, 4)).toEqual(['file', 'format', 'packets', 'flows']);
    expect(report).toMatchObject({ file, format: 'pcap', packets: 11 });
    expect(report.flows).toEqual([
      { protocol: 'tcp', client: { ip: '10.0.2.15', port: 44188 }, server: { ip: '192.0.47.59', port: 43 }, packets: 11, bytes: 884, firstSeen: '2017-10-07T17:25:19.066204Z', lastSeen: '2017-10-07T17:25:19.369269Z' },
    ]);
  });

  it('prints a readable table by default', async () => {
    const { stdout } = await run(bin, ['flows', path.join(CORPUS, 'whois.pcap')]);
    expect(stdout).toMatch(/^#\s+proto\s+client\s+server\s+packets\s+bytes/);
    expect(stdout).toContain('10.0.2.15:44188  192.0.47.59:43');
    expect(stdout).toMatch(/pcap, 11 packets, 1 flows/);
  });

  it('fails with exactly one line "matador: <file>: <what is wrong>" for unreadable files', async () => {
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'not a capture at all\n');
    const empty = path.join(dir, 'empty.pcap');
    fs.writeFileSync(empty, '');
    const stub = path.join(dir, 'stub.pcap');
    fs.writeFileSync(stub, Buffer.from('d4c3b2a10200', 'hex'));
    const badBlock = path.join(dir, 'bad.pcapng');
    fs.writeFileSync(badBlock, Buffer.concat([pcapngFile([{ linkType: 1 }], []), Buffer.from('010000000700000000000000', 'hex')]));
    const shortHeader = path.join(dir, 'short.pcapng');
    fs.writeFileSync(shortHeader, Buffer.from('0a0d0d0a1c0000004d3c2b1a', 'hex'));
    const cases: Array<[string, RegExp]> = [
      [path.join(dir, 'missing.pcap'), /no such file/],
      [dir, /is a directory/],
      [text, /not a pcap or pcapng file \(starts with 0x6e6f7420\)/],
      [empty, /empty file/],
      [stub, /too short to be a capture/],
      [badBlock, /corrupt pcapng block at offset 48: block length 7/],
      [shortHeader, /too short to be a capture: file header incomplete/],
    ];
    for (const [file, what] of cases) {
      const outcome = await run(bin, ['flows', file, '--json']).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
      );
      expect(outcome.code).not.toBe(0);
      const lines = outcome.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0].startsWith(`matador: ${file}: `)).toBe(true);
      expect(lines[0]).toMatch(what);
    }
  });
});
