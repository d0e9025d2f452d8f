/**
 * The whole page from records (pure): hostile text from records never becomes markup, the page
 * asks for nothing outside itself, and old records (no testbedKind, AS, IXP, flows, messages)
 * still make a page.
 */
import * as fs from 'fs';
import * as path from 'path';
import { defaultInterestGroups, defaultM49 } from '../../config/geo-tables';
import type { MeasurementRecord } from '../../types';
import { buildReport } from '../build';
import { parseMeasurementLines } from '../parse';
import { artefactUrl, loadWorldData, reportToHtml } from './index';

const INPUT = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'report', 'html', 'input.jsonl');
const records = parseMeasurementLines(fs.readFileSync(INPUT, 'utf8'), INPUT).records;
const options = { groups: defaultInterestGroups(), m49: defaultM49(), world: loadWorldData(), artefactBase: '../data/' };
const HOSTILE = '<img src=x onerror=alert(1)>"\'\x1b[2J';

function hostile(record: MeasurementRecord): MeasurementRecord {
  const r = JSON.parse(JSON.stringify(record)) as MeasurementRecord & { flows: { flows: { names: string[] }[] }[]; endpoints: { name: string }[] };
  r.app = `app${HOSTILE}`;
  r.nodeA.id = `node${HOSTILE}`;
  Object.assign(r, { status: 'failed', failure: `failure${HOSTILE}`, detail: `detail${HOSTILE}` });
  const hop = r.networkPath.traces[0].hops[1];
  if (hop.as) hop.as.name = `AS name${HOSTILE}`;
  if (hop.ixp) Object.assign(hop.ixp, { name: `IXP${HOSTILE}`, city: `city${HOSTILE}` });
  r.flows[0].flows[0].names = [`sni${HOSTILE}`];
  r.endpoints[0].name = `endpoint${HOSTILE}`;
  r.artefacts = [{ kind: `kind${HOSTILE}`, path: `artefacts/x/${HOSTILE}.pcap` }];
  r.geolocation = { ...(r.geolocation as object), attributions: [`attribution${HOSTILE}`] };
  return r;
}

describe('reportToHtml', () => {
  it('has the same counts as buildReport', () => {
    expect(reportToHtml(records, options).report).toEqual(buildReport(records, options));
  });

  it('escapes every text from records: no injected element, attribute or control character', () => {
    const evil = records.map((r) => (r.testbedKind === 'emulated' ? hostile(r) : r));
    const { html: page } = reportToHtml(evil, options);
    const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(page)?.[1] ?? '';
    const html = page.replace(data, '');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror=alert(1)>');
    expect(page).not.toMatch(/\x1b/); // eslint-disable-line no-control-regex
    for (const what of ['app', 'node', 'AS name', 'IXP', 'city', 'sni', 'endpoint', 'failure', 'detail', 'kind', 'attribution']) {
      expect(html).toContain(`${what}&lt;img src=x onerror=alert(1)&gt;&quot;&#39;\\x1b[2J`);
    }
    // in the JSON data element the name stays data: < is \u003c, so no element can start
    expect(data).not.toContain('<');
    expect(data).toContain('"app\\u003cimg src=x onerror=alert(1)>\\"\'\\u001b[2J"');
  });

  it('asks for nothing outside the page: no src, no external link but the artefacts, a CSP that forbids requests', () => {
    const { html } = reportToHtml(records, options);
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    for (const h of hrefs) expect(h.startsWith('#') || h.startsWith('../data/artefacts/')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'none'"`);
  });

  it('makes a page of records written before testbedKind, AS, IXP, flows and messages', () => {
    const old = records.filter((r) => r.testbedKind === undefined);
    expect(old).toHaveLength(7);
    const { html, report } = reportToHtml(old, options);
    expect(report.provenance).toBeUndefined();
    expect(html).not.toContain('id="emulated-banner"');
    expect(html).toContain('<section class="m" id="m-6"');
    expect(html).not.toContain('<h4>Messages</h4>');
  });
});

describe('artefactUrl', () => {
  it('percent-encodes each path segment and keeps the slashes', () => {
    expect(artefactUrl('../data/', 'artefacts/a b/#1?.pcap')).toBe('../data/artefacts/a%20b/%231%3F.pcap');
    expect(artefactUrl('', 'x/y.png')).toBe('x/y.png');
  });
});
