import * as fs from 'fs';
import * as path from 'path';
import type { MeasurementRecord } from '../../types';
import { measurementSection } from './measurement';

const RECORD = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'record', 'ok-measurement-collects-artefacts-messages-and-timings', 'expected.json');
const GOLDEN = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'report', 'brexit-five-eyes', 'input.jsonl');
const golden = JSON.parse(fs.readFileSync(GOLDEN, 'utf8').split('\n')[0]) as MeasurementRecord;
const options = { artefactHref: (p: string) => `../data/${p}` };

describe('measurementSection', () => {
  it('shows a record as the workflow builds it: flow summaries link their classification file', () => {
    const record = JSON.parse(fs.readFileSync(RECORD, 'utf8')) as MeasurementRecord;
    const html = measurementSection(record, 3, options);
    expect(html).toMatch(/^<section class="m" id="m-3" data-m="3"><h3>threema: sg-sin \(SG\) ↔ pl-waw \(PL\)<\/h3>/);
    expect(html).toContain('<td>1</td><td>B→A</td><td>+13.800 s</td><td>–</td><td>–</td><td>message_not_received: side A did not show message 2 within 15 s</td>');
    // timeline: 05:00:00 to 05:00:23 over 560 px; message 0 A (top) -> B (bottom), message 1 lost
    expect(html).toContain('<line class="msg" x1="346.8" y1="14" x2="347.1" y2="46"><title>message 0</title></line>');
    expect(html).toContain('<path class="lost" d="M376.0 41l6 10m0 -10l-6 10"><title>message 1 not received</title></path>');
    expect(html).toContain('Flows in <a href="../data/artefacts/e2e/threema/sg-sin/pl-waw/attempt-1/classification-A.json">');
    expect(html).toContain('<tr class="silent"><td>3</td><td>*</td>');
    expect(html).toContain('<span class="fail">traceroute_failed: ssh: scamper to 198.18.3.102 exited 1: no output</span>');
    expect(html.match(/<li>[a-z-]+: <a href="\.\.\/data\/artefacts\//g)).toHaveLength(9); // 7 captures, screenshots and traces + both sides' classification files (the baselines live under baselines/)
  });

  it('shows load-balanced branches, implausible countries and old records without extras', () => {
    // a golden record written before the extras (no messages, flows, artefacts), with branches
    const record = {
      ...golden,
      networkPath: {
        traces: [
          {
            from: 'A',
            target: '192.0.2.9',
            protocol: 'icmp',
            port: null,
            hops: [
              { ttl: 1, ip: '192.0.2.1', rttMs: [1.25], country: null, geo: { source: 'geoip-lite', databaseDate: null, corrected: false, plausible: false, claimedCountry: 'JP' }, otherInterfaces: [{ ip: '192.0.2.2', rttMs: [2], country: 'US' }] },
              { ttl: 2, ip: '192.0.2.3', rttMs: [], country: 'FR', otherIps: ['192.0.2.4'] },
            ],
          },
        ],
      },
      applicationPath: { traces: [] },
    } as MeasurementRecord;
    const html = measurementSection(record, 0, options);
    expect(html).toContain('<td>1</td><td>192.0.2.1</td><td>–</td><td>geoip-lite, implausible (claimed JP)</td><td>1.3</td>');
    expect(html).toContain('<tr class="branch"><td></td><td>192.0.2.2</td><td>US</td><td>–</td><td>2.0</td>');
    expect(html).toContain('<tr class="branch"><td></td><td>192.0.2.4</td><td>–</td>');
    expect(html).not.toMatch(/<h4>(Messages|Flows|Service endpoints|Anomalies|Artefacts)<\/h4>/);
  });
});
