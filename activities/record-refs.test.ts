import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { MeasurementRecord } from '../lib/measurement/payloads';
import { hasClassificationRefs, resolveClassificationRefs } from './record-refs';

const full = (side: 'A' | 'B') => ({ side, capture: `c-${side}.pcap`, packets: 3, baseline: null, counts: { messaging: 1 }, flows: [{ key: 'k', class: 'messaging' }], endpoints: [], unknownServers: [], messages: [] });

function recordWith(flows: unknown[]): MeasurementRecord {
  return { schema: 'matador.measurement/v1', measurementId: 'c/a/x/y', flows } as unknown as MeasurementRecord;
}

describe('resolveClassificationRefs (persistRecord puts the flows back)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'refs-'));
    fs.mkdirSync(path.join(dir, 'artefacts'), { recursive: true });
    for (const s of ['A', 'B'] as const) fs.writeFileSync(path.join(dir, 'artefacts', `classification-${s}.json`), JSON.stringify(full(s)));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replaces each side summary by the classification its file holds', () => {
    const rec = recordWith((['A', 'B'] as const).map((side) => ({ side, flowCount: 1, classificationRef: `artefacts/classification-${side}.json` })));
    expect(hasClassificationRefs(rec)).toBe(true);
    const out = resolveClassificationRefs(rec, dir);
    expect(out.flows).toEqual([full('A'), full('B')]);
    expect(hasClassificationRefs(out)).toBe(false);
  });

  it('leaves records without references alone (mock steps, failed measurements)', () => {
    const rec = recordWith([full('A')]);
    expect(resolveClassificationRefs(rec, undefined)).toBe(rec);
    expect(resolveClassificationRefs(recordWith([]), dir).flows).toEqual([]);
  });

  it('refuses references outside the data folder, a wrong side and a missing data folder', () => {
    expect(() => resolveClassificationRefs(recordWith([{ side: 'A', classificationRef: '../etc/passwd' }]), dir)).toThrow(/outside the data folder/);
    expect(() => resolveClassificationRefs(recordWith([{ side: 'B', classificationRef: 'artefacts/classification-A.json' }]), dir)).toThrow(/holds side A, not B/);
    expect(() => resolveClassificationRefs(recordWith([{ side: 'A', classificationRef: 'artefacts/classification-A.json' }]), undefined)).toThrow(/no data folder/);
  });

  it('keeps the summary of a side whose classification shipping could not bring (the record says why); a file just missing still fails', () => {
    const ref = 'artefacts/classification-gone.json';
    const summary = { side: 'A', flowCount: 1, classificationRef: ref };
    const rec = { ...recordWith([summary]), artefacts: [{ kind: 'classification', path: ref, present: false, failure: 'artefact_transfer_failed', detail: 'lost' }] };
    expect(resolveClassificationRefs(rec, dir).flows).toEqual([summary]);
    expect(() => resolveClassificationRefs(recordWith([summary]), dir)).toThrow(/ENOENT/);
  });
});
