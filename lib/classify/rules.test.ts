import { classifyFlows } from './classify';
import { classifierRulesFromAppConfig, compileRules, ClassifierInputError } from './rules';
import type { ClassifierAppRules } from './types';

const base: ClassifierAppRules = {
  blacklist: { hosts: ['*.google.com'], cidrs: ['198.18.99.0/24'], ports: [{ protocol: 'udp', port: 53 }] },
  whitelist: { hosts: ['*.whatsapp.net'], cidrs: [] },
  timers: { correlationWindowMs: 3000 },
};

describe('classifier rules', () => {
  it('maps the app file classification section, seconds to ms, dropping port notes', () => {
    const rules = classifierRulesFromAppConfig({
      timeCorrelationWindowSec: 2.5,
      blacklist: { hosts: ['*.google.com'], cidrs: ['198.18.99.0/24'], ports: [{ protocol: 'udp', port: 53, note: 'DNS' } as { protocol: 'udp'; port: number }] },
      whitelist: { hosts: ['*.whatsapp.net'], cidrs: [] },
    });
    expect(rules).toEqual({ ...base, timers: { correlationWindowMs: 2500 } });
  });

  it.each([
    [{ ...base, timers: { correlationWindowMs: -1 } }, 'rules.timers.correlationWindowMs: not a duration in ms: -1'],
    [{ ...base, timers: { correlationWindowMs: 1000, minMessagesWithoutWhitelist: 0 } }, 'rules.timers.minMessagesWithoutWhitelist: not a whole number >= 1: 0'],
    [{ ...base, blacklist: { ...base.blacklist, hosts: ['ok.example', 'not ok'] } }, 'rules.blacklist.hosts[1]: not a host name or pattern: "not ok"'],
    [{ ...base, whitelist: { ...base.whitelist, cidrs: ['2001:db8::1/32'] } }, 'rules.whitelist.cidrs[0]: CIDR block has host bits set: "2001:db8::1/32"'],
    [{ ...base, blacklist: { ...base.blacklist, ports: [{ protocol: 'udp', port: 70000 }] } }, 'rules.blacklist.ports[0].port: not a port number: 70000'],
  ] as Array<[ClassifierAppRules, string]>)('rejects invalid rules naming the key path (%#)', (rules, message) => {
    expect(() => compileRules(rules)).toThrow(ClassifierInputError);
    expect(() => compileRules(rules)).toThrow(`classification input ${message}`);
  });
});

describe('classifier input checks', () => {
  it('names a flow whose server is not an address', () => {
    expect(() =>
      classifyFlows({
        side: 'A',
        capture: { flows: [{ protocol: 'tcp', client: { ip: '198.18.7.100', port: 1 }, server: { ip: 'chat.example.net', port: 443 }, packets: 1, bytes: 60, firstSeen: '2015-10-01T12:00:00Z', lastSeen: '2015-10-01T12:00:00Z' }] },
        messages: [],
        rules: base,
      }),
    ).toThrow('classification input capture.flows[0].server: not an {ip, port} endpoint: {"ip":"chat.example.net","port":443}');
  });
});
