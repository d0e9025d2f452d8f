import { checkDocument, checkSubjects, checkSummary, formatCheckRow, parseSubject, subjectLabel, type CheckRow } from './rows';

const row = (o: Partial<CheckRow>): CheckRow => ({ testbed: 'tb1', side: 'A', kind: 'phone', target: '198.18.9.2:5555', check: 'adb authorised', ok: true, detail: 'state device', fix: null, ...o });

describe('check subjects', () => {
  it('lists both phones and routers, each node, and one tunnel per node on alternating sides', () => {
    expect(checkSubjects(['pl-waw', 'es-mad', 'sg-sin']).map(subjectLabel)).toEqual([
      'phone A', 'phone B', 'router A', 'router B', 'node pl-waw', 'node es-mad', 'node sg-sin',
      'tunnel A -> pl-waw', 'tunnel B -> es-mad', 'tunnel A -> sg-sin',
    ]);
  });

  it('tunnels both sides to the one node of a one-node campaign', () => {
    expect(checkSubjects(['de-ber']).filter((s) => s.kind === 'tunnel').map(subjectLabel)).toEqual(['tunnel A -> de-ber', 'tunnel B -> de-ber']);
  });

  it('parses subjects from an activity input and refuses malformed ones', () => {
    expect(parseSubject({ kind: 'tunnel', side: 'B', node: 'es-mad' })).toEqual({ kind: 'tunnel', side: 'B', node: 'es-mad' });
    expect(parseSubject({ kind: 'phone', side: 'A', extra: 1 })).toEqual({ kind: 'phone', side: 'A' });
    for (const bad of [null, 'phone', { kind: 'phone' }, { kind: 'node', node: '../x' }, { kind: 'tunnel', side: 'C', node: 'a' }, { kind: 'disk', side: 'A' }]) expect(parseSubject(bad)).toBeNull();
  });
});

describe('check output', () => {
  it('formats a ✔ row on one line and a ✘ row with its fix on the next', () => {
    expect(formatCheckRow(row({}))).toEqual(['✔ tb1/A    phone   198.18.9.2:5555        adb authorised: state device']);
    const failed = formatCheckRow(row({ ok: false, detail: 'unauthorized', fix: 'accept the prompt on 198.18.9.2:5555' }));
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatch(/^✘ tb1\/A/);
    expect(failed[1]).toBe('    fix: accept the prompt on 198.18.9.2:5555');
    expect(formatCheckRow(row({ side: null, kind: 'node', target: 'pl-waw/198.18.1.2' }))[0]).toMatch(/^✔ tb1 {6}node/);
  });

  it('summarises and builds the JSON document: ok only when no row failed', () => {
    const rows = [row({}), row({ ok: false, fix: 'x' })];
    expect(checkSummary(rows)).toBe('1 of 2 checks failed');
    expect(checkSummary([row({})])).toBe('all 1 checks passed');
    expect(checkDocument('demo', [{ testbed: 'tb1', rows }])).toEqual({ schema: 'matador.testbed-check/v1', campaign: 'demo', ok: false, failed: 1, testbeds: [{ testbed: 'tb1', rows }] });
    expect(checkDocument('demo', [{ testbed: 'tb1', rows: [row({})] }]).ok).toBe(true);
  });
});
