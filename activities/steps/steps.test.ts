/** The pure parts of the measurement steps (the I/O parts run in test/e2e against the world). */
import { validateTunnelSpec } from '../../drivers/node';
import type { PhoneMessage } from '../../drivers/phone';
import { classifierRulesFromAppConfig } from '../../lib/classify';
import { scaledUiSteps } from './capture';
import { correlationScaled, messageEvents, MIN_CORRELATION_WINDOW_MS } from './classify';
import { attemptDirRel, attemptTag } from './context';
import { findLogged } from './send';
import { tunnelSpec } from '../lab';

const node = (id: string) => ({ id, country: 'PL', latitude: 0, longitude: 0 });
const ctx = { measurementId: 'c/threema/pl-waw/es-mad', campaign: 'c', app: 'threema', nodeA: node('pl-waw'), nodeB: node('es-mad'), attempt: 2 };

describe('tunnel specs', () => {
  const spec = (testbedIndex: number, side: 'A' | 'B') =>
    tunnelSpec({ testbedIndex, side, mode: 'vxlan', routerUnderlay: '198.19.1.10', nodeUnderlay: '198.18.4.101', phoneSubnet: '198.19.16.0/24' });

  it('are valid for the router driver', () => {
    for (const t of [0, 1, 3]) for (const s of ['A', 'B'] as const) expect(validateTunnelSpec(spec(t, s))).toEqual(spec(t, s));
  });

  it('never collide on a node shared by both sides of a self-pair or by two testbeds', () => {
    const all = [0, 1, 2].flatMap((t) => (['A', 'B'] as const).map((s) => spec(t, s)));
    for (const key of ['name', 'routerInner', 'nodeInner', 'vni'] as const) expect(new Set(all.map((x) => x[key])).size).toBe(all.length);
    for (const x of all) expect(x.name.length).toBeLessThanOrEqual(15); // Linux interface names
  });
});

describe('names of an attempt', () => {
  it('artefacts go to artefacts/<campaign>/<app>/<nodeA>/<nodeB>/attempt-<n>', () => {
    expect(attemptDirRel(ctx)).toBe('artefacts/c/threema/pl-waw/es-mad/attempt-2');
  });
  it('the remote tag is short, stable and differs per measurement and attempt', () => {
    expect(attemptTag(ctx)).toBe(attemptTag({ ...ctx }));
    expect(attemptTag(ctx)).toMatch(/^m[0-9a-f]{8}-a2$/);
    expect(attemptTag({ ...ctx, attempt: 3 })).not.toBe(attemptTag(ctx));
    expect(attemptTag({ ...ctx, measurementId: 'c/wechat/pl-waw/es-mad' })).not.toBe(attemptTag(ctx));
  });
});

describe('compressed timers', () => {
  const rules = classifierRulesFromAppConfig({ timeCorrelationWindowSec: 5, blacklist: { hosts: [], cidrs: [], ports: [] }, whitelist: { hosts: [], cidrs: [] } });
  it('shrink the correlation window with the timers, not below the floor, never above the configured one', () => {
    expect(correlationScaled(rules, 1).timers.correlationWindowMs).toBe(5000);
    expect(correlationScaled(rules, 0.2).timers.correlationWindowMs).toBe(1000);
    expect(correlationScaled(rules, 0.01).timers.correlationWindowMs).toBe(MIN_CORRELATION_WINDOW_MS);
  });
  it('shrink UI waits alike and leave the other steps alone', () => {
    expect(scaledUiSteps([{ action: 'wait', seconds: 5 }, { action: 'tap', element: 'x' }], 0.05)).toEqual([{ action: 'wait', seconds: 0.25 }, { action: 'tap', element: 'x' }]);
  });
});

describe('message times', () => {
  const log: PhoneMessage[] = [
    { event: 'received', direction: 'in', app: 'threema', id: '1', peer: 'b', text: 'hello', sentAt: '2026-01-01T00:00:00.000Z', receivedAt: '2026-01-01T00:00:00.010Z' },
    { event: 'received', direction: 'in', app: 'threema', id: '2', peer: 'b', text: 'hello', sentAt: '2026-01-01T00:10:00.000Z', receivedAt: '2026-01-01T00:10:00.020Z' },
  ];
  it('match the log entry of this send, not an earlier measurement\'s message with the same text', () => {
    expect(findLogged(log, { event: 'received', text: 'hello', notBefore: Date.parse('2026-01-01T00:09:59.000Z') })?.id).toBe('2');
    expect(findLogged(log, { event: 'received', text: 'hello', notBefore: Date.parse('2026-01-01T00:20:00.000Z') })).toBeUndefined();
    expect(findLogged(log, { event: 'received', text: 'other', notBefore: 0 })).toBeUndefined();
  });
  it('become the classifier\'s events with directions and epoch ms', () => {
    expect(messageEvents([{ index: 0, from: 'B', sentAt: '2026-01-01T00:00:00.000Z', receivedAt: null, failure: 'message_not_received', detail: 'x' }])).toEqual([
      { index: 0, direction: 'B->A', sentAt: Date.parse('2026-01-01T00:00:00.000Z'), receivedAt: null },
    ]);
  });
});
