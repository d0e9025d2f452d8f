import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Trace } from '../types';
import { IxpTable, loadIxpTable, loadPeeringDb, markIxps, parsePeeringDb, PEERINGDB_ATTRIBUTION } from './peeringdb';
import { syntheticPeeringDbDump } from '../../bench/geo/peeringdb';

const FIXTURE = path.join(__dirname, '..', '..', 'test', 'fixtures', 'geo', 'peeringdb', 'dump.json');
const text = fs.readFileSync(FIXTURE, 'utf8');

describe('parsePeeringDb (ix / ixlan / ixpfx as the API returns them)', () => {
  const dump = parsePeeringDb(text, FIXTURE);

  it('joins ixpfx -> ixlan -> ix, counts what it skipped, dates the dump by its newest object', () => {
    expect(dump.prefixes.map((p) => p.prefix)).toEqual(['80.81.192.0/21', '2001:7f8::/64', '80.249.208.0/21', '2001:7f8:1::/64', '203.0.113.0/24']);
    expect(dump.ixps).toBe(3);
    // ixlan 8888 names an ix the dump lacks; its prefix and one whose ixlan is missing are skipped;
    // the deleted IX is not used.
    expect(dump.skipped).toEqual({ danglingIxpfx: 2, danglingIxlan: 1, notOk: 1 });
    expect(dump.dataDate).toBe('2026-06-02');
    expect(dump.attribution).toBe(PEERINGDB_ATTRIBUTION);
    expect(dump.prefixes[0].mark).toEqual({ ixId: 31, name: 'DE-CIX Frankfurt', country: 'DE', city: 'Frankfurt', prefix: '80.81.192.0/21', source: 'dump.json' });
  });

  it('an empty country or city is unknown (null), never a guess', () => {
    expect(dump.prefixes[4].mark).toMatchObject({ ixId: 5555, country: null, city: null });
  });

  it('refuses an ill-shaped dump with one line naming the file and the entry', () => {
    const doc = () => JSON.parse(text) as Record<string, { data: Record<string, unknown>[] }>;
    const refuse = (mutate: (d: ReturnType<typeof doc>) => unknown, message: RegExp) => {
      const d = doc();
      mutate(d);
      let err: Error | null = null;
      try {
        parsePeeringDb(JSON.stringify(d), 'pdb.json');
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toMatch(message);
      expect(err?.message).not.toContain('\n');
    };
    expect(() => parsePeeringDb('{"ix": {"data": [', 'pdb.json')).toThrow(/^pdb.json: not a PeeringDB JSON dump: /);
    expect(() => parsePeeringDb('[]', 'pdb.json')).toThrow('pdb.json: not a PeeringDB JSON dump: the top level must be an object');
    refuse((d) => delete d.ixpfx, /^pdb.json: ixpfx.data must be a list/);
    refuse((d) => (d.ixlan.data[1] = 'x' as never), /^pdb.json: ixlan.data\[1\] must be an object$/);
    refuse((d) => (d.ix.data[0].id = '31'), /^pdb.json: ix.data\[0\].id must be an integer, got "31"$/);
    refuse((d) => (d.ix.data[1].name = ''), /^pdb.json: ix.data\[1\].name must be a non-empty string/);
    refuse((d) => delete d.ixlan.data[0].ix_id, /^pdb.json: ixlan.data\[0\].ix_id must be an integer, got undefined$/);
    refuse((d) => (d.ixpfx.data[2].prefix = '80.249.208.0/33'), /^pdb.json: ixpfx.data\[2\].prefix: bad prefix length in "80.249.208.0\/33"$/);
    refuse((d) => (d.ixpfx.data[2].prefix = 'Amsterdam'), /^pdb.json: ixpfx.data\[2\].prefix: not a CIDR prefix: "Amsterdam"$/);
    refuse((d) => (d.ixpfx.data[1].protocol = 'IPv4'), /^pdb.json: ixpfx.data\[1\].protocol is "IPv4" but prefix 2001:7f8::\/64 is IPv6$/);
  });

  it('loadPeeringDb names an unreadable file', () => {
    expect(() => loadPeeringDb('/nonexistent/pdb.json')).toThrow('cannot read PeeringDB dump /nonexistent/pdb.json: ENOENT');
  });
});

describe('IxpTable', () => {
  const table = loadIxpTable([FIXTURE]);

  it('finds the peering LAN of IPv4, IPv6 and IPv4-mapped addresses; null outside every LAN', () => {
    expect(table.lookup('80.81.194.21')).toMatchObject({ ixId: 31, name: 'DE-CIX Frankfurt', prefix: '80.81.192.0/21' });
    expect(table.lookup('2001:7f8::3466:0:1')).toMatchObject({ ixId: 31, prefix: '2001:7f8::/64' });
    expect(table.lookup('2001:7F8:1::A500:2603:1')).toMatchObject({ ixId: 26, name: 'AMS-IX', country: 'NL' });
    expect(table.lookup('::ffff:80.249.209.203')).toMatchObject({ ixId: 26 });
    expect(table.lookup('80.81.200.1')).toBeNull();
    expect(table.lookup('198.51.100.7')).toBeNull(); // the dangling LAN was skipped
    expect(table.lookup('not an address')).toBeNull();
    expect(table.size).toBe(5);
  });

  it('is read once per process per list of files, and hands out copies', () => {
    expect(loadIxpTable([FIXTURE])).toBe(table);
    const mark = table.lookup('80.81.194.21');
    if (mark) mark.name = 'changed';
    expect(table.lookup('80.81.194.21')?.name).toBe('DE-CIX Frankfurt');
  });

  it('summarises each dump for the provenance', () => {
    expect(table.summaries).toEqual([
      { file: FIXTURE, ixps: 3, prefixes: 5, skipped: { danglingIxpfx: 2, danglingIxlan: 1, notOk: 1 }, dataDate: '2026-06-02', attribution: PEERINGDB_ATTRIBUTION },
    ]);
  });

  it('a longer prefix of a later dump wins', () => {
    const later = parsePeeringDb(JSON.stringify({
      ix: { data: [{ id: 1, name: 'Inner IX', city: 'Berlin', country: 'DE' }] },
      ixlan: { data: [{ id: 1, ix_id: 1 }] },
      ixpfx: { data: [{ id: 1, ixlan_id: 1, protocol: 'IPv4', prefix: '80.81.194.0/24' }] },
    }), 'later.json');
    const both = new IxpTable([parsePeeringDb(text, FIXTURE), later]);
    expect(both.lookup('80.81.194.21')).toMatchObject({ ixId: 1, source: 'later.json' });
    expect(both.lookup('80.81.192.1')).toMatchObject({ ixId: 31, source: 'dump.json' });
    expect(later.dataDate).toBeNull();
  });
});

describe('markIxps', () => {
  const table = loadIxpTable([FIXTURE]);
  it('sets ixp on every hop address, null where there is none', () => {
    const trace: Trace = {
      from: 'A', target: '80.249.209.1', protocol: 'icmp', port: null,
      hops: [
        { ttl: 1, ip: '192.168.1.1', rttMs: [1], country: null },
        { ttl: 2, ip: null, rttMs: [], country: null },
        { ttl: 3, ip: '80.81.194.21', rttMs: [9], country: 'DE', otherIps: ['2001:7f8:1::a500:2603:1'], otherInterfaces: [{ ip: '2001:7f8:1::a500:2603:1', rttMs: [10], country: 'NL' }] },
      ],
    };
    const marked = markIxps(trace, table);
    expect(marked.hops.map((h) => h.ixp?.ixId ?? h.ixp)).toEqual([null, null, 31]);
    expect(marked.hops[2].otherInterfaces?.[0].ixp?.name).toBe('AMS-IX');
    expect(trace.hops[2].ixp).toBeUndefined(); // input untouched
  });
});

describe('PeeringDB scale (~1,100 ix, ~1,300 ixlan, ~2,500 ixpfx)', () => {
  it('loads and looks up quickly', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdb-'));
    try {
      const file = path.join(dir, 'peeringdb.json');
      fs.writeFileSync(file, JSON.stringify(syntheticPeeringDbDump({ ixps: 1100, lans: 1300, prefixes: 2500 })));
      const t0 = performance.now();
      const big = new IxpTable([loadPeeringDb(file)]);
      const loadMs = performance.now() - t0;
      expect(big.size).toBe(2500);
      const t1 = performance.now();
      let hits = 0;
      for (let i = 0; i < 10000; i++) if (big.lookup(`100.${64 + (i % 60)}.${i % 256}.${i % 200}`)) hits += 1;
      const lookupMs = performance.now() - t1;
      expect(hits).toBeGreaterThan(0);
      expect(loadMs).toBeLessThan(2000);
      expect(lookupMs).toBeLessThan(2000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
