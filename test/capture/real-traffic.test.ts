/**
 * Real traffic between two namespaces of our own (mtcap-*), captured by tcpdump (pcap, µs, on
 * the veth), tcpdump on "any" (pcap, ns, Linux cooked v2) and dumpcap on veth + lo (pcapng, two
 * interfaces): our flows must equal tshark's tcp.stream/udp.stream conversations, including
 * three sequential TCP connections from one source port (FIN, RST, FIN closes) and two over IPv6.
 */
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { extractFlows, extractFlowsFromBuffer, type FlowsResult } from '../../lib/capture';
import { createPair, destroyPair, execIn, type NamespacePair, startIn, stop } from './netns';
import { asConversations, conversationLines, tsharkConversations } from './tshark-conversations';

jest.setTimeout(120000);

let dir = '';
let pair: NamespacePair | null = null;
const running: ChildProcess[] = [];
let clientSummary: Record<string, unknown> = {};
const files = { veth: '', anyNs: '', multi: '' };
const results: Record<string, FlowsResult> = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtcap-'));
  files.veth = path.join(dir, 'veth.pcap');
  files.anyNs = path.join(dir, 'any-ns.pcap');
  files.multi = path.join(dir, 'multi.pcapng');
  pair = await createPair(`t${process.pid % 100000}`);
  const { a, b, device } = pair;
  running.push(
    await startIn(
      b,
      [
        'dnsmasq', '--keep-in-foreground', '--log-facility=-', '-C', '/dev/null', '--no-resolv', '--no-hosts', '--no-poll',
        `--pid-file=${path.join(dir, 'dnsmasq.pid')}`, '--listen-address=198.19.200.2', '--bind-interfaces', '--port=53',
        '--host-record=svc.mtcap.test,198.19.200.50,2001:db8:c0::50', '--cname=alias.mtcap.test,svc.mtcap.test',
      ],
      /started/,
    ),
  );
  running.push(await startIn(b, [process.execPath, path.join(__dirname, 'traffic', 'server.js')], /ready/));
  // --immediate-mode: without it packets wait in the kernel's capture block and the last ones
  // can be lost when tcpdump is stopped.
  running.push(await startIn(b, ['tcpdump', '-Z', 'root', '-n', '-U', '--immediate-mode', '-i', device, '-w', files.veth], /listening on/));
  running.push(await startIn(b, ['tcpdump', '-Z', 'root', '-n', '-U', '--immediate-mode', '-i', 'any', '--time-stamp-precision=nano', '-w', files.anyNs], /listening on/));
  running.push(await startIn(b, ['dumpcap', '-i', device, '-i', 'lo', '-w', files.multi], /Capturing on/));
  const client = await execIn(a, [process.execPath, path.join(__dirname, 'traffic', 'client.js')], 60000);
  clientSummary = JSON.parse(client.stdout) as Record<string, unknown>;
  // Traffic over lo inside b (its own address is local there): the second pcapng interface.
  await execIn(b, [process.execPath, '-e', "const s=require('dgram').createSocket('udp4');s.bind(42000,()=>s.send('local',9000,'198.19.200.2',()=>setTimeout(()=>s.close(),200)))"]);
  await new Promise((r) => setTimeout(r, 1000));
  for (const child of running.splice(2)) await stop(child); // captures first: flush their files
  for (const [name, file] of Object.entries(files)) results[name] = await extractFlows(fs.createReadStream(file));
});

afterAll(async () => {
  // MTCAP_SAVE_FIXTURE=DIR keeps the pcapng (how test/fixtures/flows/namespaces.pcapng was made).
  const keep = process.env.MTCAP_SAVE_FIXTURE;
  if (keep && files.multi && fs.existsSync(files.multi)) fs.copyFileSync(files.multi, path.join(keep, 'namespaces.pcapng'));
  for (const child of running) await stop(child, 'SIGTERM');
  if (pair) await destroyPair(pair);
  // MTCAP_KEEP_DIR=1 keeps the captures for a look after a failure (the path is printed).
  if (dir && process.env.MTCAP_KEEP_DIR) process.stdout.write(`captures kept in ${dir}\n`);
  else if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('capture of real namespace traffic', () => {
  it('ran the client traffic (sanity of the setup)', () => {
    expect(clientSummary).toMatchObject({
      tcp4: ['echo first', 'echo second', 'echo third'],
      tcp6: ['echo six-a', 'echo six-b'],
      udp4: 3,
      udp6: 2,
      dnsUdp: ['198.19.200.50'],
    });
  });

  it.each([
    ['veth', 'pcap'],
    ['anyNs', 'pcap'],
    ['multi', 'pcapng'],
  ])('%s capture: flows equal tshark conversations (endpoints, packets, bytes)', async (name, format) => {
    const file = files[name as keyof typeof files];
    const ours = results[name];
    expect(ours.format).toBe(format);
    expect(conversationLines(asConversations(ours.flows))).toEqual(conversationLines(await tsharkConversations(file)));
    const reused4 = ours.flows.filter((f) => f.client.ip === '198.19.200.1' && f.client.port === 40000 && f.server.port === 8080);
    const reused6 = ours.flows.filter((f) => f.client.ip === '2001:db8:c0::1' && f.client.port === 40001 && f.server.port === 8080);
    expect(reused4).toHaveLength(3);
    expect(reused6).toHaveLength(2);
    expect(reused6[0].server.ip).toBe('2001:db8:c0::2');
    const udp = ours.flows.filter((f) => f.protocol === 'udp' && f.server.port === 9000 && f.client.ip !== '198.19.200.2');
    expect(udp.map((f) => [f.client.port, f.packets])).toEqual([
      [41000, 6],
      [41001, 4],
    ]);
  });

  it('records the stamp resolution of each file (µs tcpdump, ns tcpdump, ns dumpcap if_tsresol 9)', () => {
    expect(results.veth.flows[0].firstSeen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(results.anyNs.flows[0].firstSeen).toMatch(/\.\d{9}Z$/);
    expect(results.multi.flows[0].firstSeen).toMatch(/\.\d{9}Z$/);
  });

  it('reads the link types tcpdump and dumpcap wrote (Ethernet, Linux cooked v2 for "any")', () => {
    expect(Object.keys(results.veth.stats.linkTypes)).toEqual(['1']);
    expect(Object.keys(results.anyNs.stats.linkTypes)).toEqual(['276']);
    expect(Object.keys(results.multi.stats.linkTypes)).toEqual(['1']); // veth and lo are both Ethernet
  });

  it('reads both pcapng interfaces: the lo datagram of namespace b is a flow', () => {
    const local = results.multi.flows.filter((f) => f.client.ip === '198.19.200.2' && f.client.port === 42000);
    expect(local.map((f) => [f.protocol, f.server.ip, f.server.port, f.packets])).toEqual([['udp', '198.19.200.2', 9000, 2]]);
    expect(results.veth.flows.some((f) => f.client.port === 42000)).toBe(false);
  });

  it('names endpoints: DNS answers over UDP and TCP, TLS SNI', () => {
    for (const [name, result] of Object.entries(results)) {
      const byName = new Map(result.dns.map((d) => [d.name, d]));
      expect({ name, names: [...byName.keys()].sort() }).toEqual({ name, names: ['alias.mtcap.test', 'svc.mtcap.test'] });
      // alias -> svc by CNAME; svc's AAAA came from the TCP query, so alias resolves to both
      expect(byName.get('alias.mtcap.test')?.addresses).toEqual(['198.19.200.50', '2001:db8:c0::50']);
      expect(byName.get('alias.mtcap.test')?.cnames).toEqual(['svc.mtcap.test']);
      expect(byName.get('svc.mtcap.test')?.addresses).toEqual(expect.arrayContaining(['198.19.200.50', '2001:db8:c0::50']));
      const tlsFlow = result.flows.find((f) => f.server.port === 8443);
      expect(tlsFlow?.sni).toBe('svc.mtcap.test');
      const dnsTcp = result.flows.find((f) => f.protocol === 'tcp' && f.server.port === 53);
      expect(dnsTcp).toBeDefined();
    }
  });

  it('streams and reads whole files to the same result', async () => {
    const streamed = await extractFlows(fs.createReadStream(files.multi, { highWaterMark: 333 }));
    expect(streamed).toEqual(extractFlowsFromBuffer(fs.readFileSync(files.multi)));
  });
});
