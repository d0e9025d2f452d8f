/**
 * `matador.testbeds/v1`: the testbeds (two phones + two WLAN routers each) a campaign runs on.
 * A testbed runs one measurement at a time; its activities go to task queue `testbed-<id>`.
 * Real testbeds name their hardware; emulated ones only name the emulated world whose state
 * supplies the endpoints at run time. SSH keys are referenced by PATH, never inlined, so no
 * secret ever travels in a config, a workflow input or a log line.
 *
 * Real testbeds also say how the phone LAN and the tunnel to the vantage nodes are wired
 * (routers.<side>.lanInterface/phoneSubnet/underlayAddress/captureDir, `tunnel`). The loader
 * fills in the defaults, so a loaded RouterConfig holds the values the drivers will use.
 */
import { splitCommandTemplate } from './location-provider';
import { ipFamily, parseAddress, prefixContains, prefixesOverlap, tryParsePrefix } from '../net/ip';
import { z } from 'zod';
import {
  cidrsOverlap,
  pathRef,
  expected,
  id,
  interfaceName,
  ipv4Address,
  list,
  literal,
  num,
  oneOf,
  parseCidr,
  phoneSubnet,
  port,
  remoteDirectory,
  str,
  sudoMode,
  strict,
} from './fields';

export const TESTBEDS_SCHEMA = 'matador.testbeds/v1';

/** The tunnel kinds of drivers/node/tunnel-spec.ts (kept equal by test/config-wiring.test.ts). */
export const TUNNEL_MODES = ['gre', 'ipip', 'vxlan', 'wireguard'] as const;

/** What a real testbed uses when its file does not say (the values before these keys existed). */
export const REAL_TESTBED_DEFAULTS = {
  lanInterface: 'wlan0',
  captureDir: '/var/tmp/matador-captures',
  phoneSubnets: { A: '192.168.42.0/24', B: '192.168.43.0/24' },
  tunnel: { mode: 'gre' },
} as const;

/** The inner addresses of the router-node tunnels (activities/lab.ts tunnelSpec): testbed i
 *  (its place among the campaign's testbeds) uses 198.19.<128 + i>.0/29, all within this /17,
 *  so a testbeds file holds at most 128 testbeds. A phone subnet overlapping the /24 of any
 *  testbed's place would route tunnel traffic into the tunnel itself. */
export const TUNNEL_INNER_RANGE = '198.19.128.0/17';
export const MAX_TESTBEDS = 128;
export function tunnelInnerNet(testbedIndex: number): string {
  return `198.19.${128 + testbedIndex}.0/24`;
}

/** Whether a CIDR block holds an address (false when either does not parse, or families differ). */
export function subnetContains(subnet: string, address: string): boolean {
  const net = tryParsePrefix(subnet);
  const ip = parseAddress(address);
  return net !== null && ip !== null && net.family === ip.family && prefixContains(net, ip);
}

const ANDROID_PACKAGE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

/** lib/config/location-provider.ts: the Appium Settings app, or a command template (split at load). */
const locationSchema = z.union([
  strict({ provider: literal('appium-settings') }),
  strict({
    command: str('a command template with ${latitude} and ${longitude}').superRefine((t, ctx) => {
      const split = splitCommandTemplate(t);
      if ('error' in split) ctx.addIssue({ code: 'custom', input: t, message: expected(`a command template with \${latitude} and \${longitude} (${split.error})`) });
    }),
    /** the provider app: checked installed, and allowed to mock locations */
    package: str('an Android package name (e.g. "io.appium.settings")', ANDROID_PACKAGE).optional(),
  }),
], { error: expected('{ provider: appium-settings } or { command: TEMPLATE, package: PACKAGE }') });
/** At most this many extra uids: the DNS uid and perhaps a push service, never a way to open the firewall. */
export const MAX_FIREWALL_EXTRA_UIDS = 4;
const ANDROID_UID = num({ int: true, min: 0, max: 2 ** 31 - 1 }, `an Android uid (an integer between 0 and ${2 ** 31 - 1})`);

export const phoneSchema = strict({
  /** adb serial (`adb devices`), e.g. `ZY2234ABCD` or `192.168.1.20:5555` */
  serial: str('an adb serial number'),
  /** the mock-location provider (default: the Appium Settings app) */
  location: locationSchema.optional(),
  /**
   * uids the phone's firewall lets out besides the app's own (paper 3.1: only the app under test
   * may use the network). On a real phone an app's DNS lookups are not sent by the app: netd's
   * resolver sends them, as root (0) on Android 5-7 and as AID_DNS (1051) from Android 8 on;
   * without that uid the firewalled app resolves no name. E.g. `[0]` for the paper's Moto E.
   */
  firewallExtraUids: list(ANDROID_UID, { what: 'a list of Android uids' })
    .max(MAX_FIREWALL_EXTRA_UIDS, { error: expected(`a list of at most ${MAX_FIREWALL_EXTRA_UIDS} Android uids`) })
    .superRefine((uids, ctx) => {
      uids.forEach((uid, index) => {
        const first = uids.indexOf(uid);
        if (first !== index) ctx.addIssue({ code: 'custom', path: [index], input: uid, message: expected(`a uid not listed before (it is at [${first}])`) });
      });
    })
    .optional(),
});

const routerFields = strict({
  host: str('a host name or IP address'),
  port: port().default(22),
  user: str('a user name'),
  identityFile: pathRef('the path of the SSH private key file'),
  knownHostsFile: pathRef('the path of a known_hosts file pinning the router host key'),
  /** root commands (ip, tcpdump, sysctl -w): auto = `sudo -n` when user is not root (default) */
  sudo: sudoMode().default('auto'),
  /** the phone-facing interface: captures run here (default wlan0; OpenWrt bridges: br-lan) */
  lanInterface: interfaceName().optional(),
  /** older name of lanInterface, still accepted */
  wlanInterface: interfaceName().optional(),
  /** the prefix the router's DHCP hands the phone (default 192.168.42.0/24 for A, .43.0/24 for B) */
  phoneSubnet: phoneSubnet().optional(),
  /** the router's address as the vantage nodes reach it (default: host, when that is IPv4) */
  underlayAddress: ipv4Address("an IPv4 address: the router's address as the vantage nodes reach it (tunnel underlay)").optional(),
  /** where tcpdump writes on the router */
  captureDir: remoteDirectory().default(REAL_TESTBED_DEFAULTS.captureDir),
}).superRefine((r, ctx) => {
  if (r.lanInterface !== undefined && r.wlanInterface !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['wlanInterface'], input: r.wlanInterface, message: expected('no wlanInterface next to lanInterface (wlanInterface is the older name of lanInterface: keep one)') });
  }
  if (r.underlayAddress === undefined && ipFamily(r.host) !== 4) {
    ctx.addIssue({
      code: 'custom',
      path: ['underlayAddress'],
      message: expected(
        `an IPv4 address: the router's address as the vantage nodes reach it (tunnel underlay); this key is needed because host ${JSON.stringify(r.host)} is not an IPv4 address`,
      ),
    });
  }
});

type RouterFields = z.output<typeof routerFields>;

/** Defaults filled in: the router as the drivers will see it. */
function resolveRouter({ wlanInterface, ...r }: RouterFields, side: 'A' | 'B') {
  return {
    ...r,
    lanInterface: r.lanInterface ?? wlanInterface ?? REAL_TESTBED_DEFAULTS.lanInterface,
    phoneSubnet: r.phoneSubnet ?? REAL_TESTBED_DEFAULTS.phoneSubnets[side],
    // superRefine above guarantees host is an IPv4 address when underlayAddress is missing
    underlayAddress: r.underlayAddress ?? r.host,
  };
}

/**
 * A router's phone subnet is policy-routed into the tunnel: if it held the router's own address
 * (host or underlay) the router's SSH replies would go into the tunnel (locked out), and if it
 * overlapped the tunnels' inner range the tunnel would carry itself.
 */
function checkRouterSubnets(routers: { A: RouterFields; B: RouterFields }, ctx: z.core.$RefinementCtx<{ A: RouterFields; B: RouterFields }>): void {
  for (const side of ['A', 'B'] as const) {
    const subnet = routers[side].phoneSubnet ?? REAL_TESTBED_DEFAULTS.phoneSubnets[side];
    const parsed = tryParsePrefix(subnet);
    if (!parsed) continue; // reported by phoneSubnet()
    const problem = (what: string) =>
      ctx.addIssue({ code: 'custom', path: [side, 'phoneSubnet'], input: subnet, message: expected(`a phone subnet that does not contain ${what} (its traffic would be routed into the tunnel)`) });
    for (const s of ['A', 'B'] as const) {
      const r = routers[s];
      if (subnetContains(subnet, r.host)) problem(`router ${s}'s own address (host ${r.host})`);
      else if (r.underlayAddress !== undefined && subnetContains(subnet, r.underlayAddress)) problem(`router ${s}'s underlay address ${r.underlayAddress}`);
    }
  }
}

/** Phone subnets vs the tunnels' inner addresses of every testbed place this file can fill. */
function checkInnerRanges(testbeds: Array<z.output<typeof testbedSchema>>, ctx: ListCtx): void {
  const inner = testbeds.map((_, i) => tryParsePrefix(tunnelInnerNet(i))).filter((p) => p !== null);
  testbeds.forEach((tb, index) => {
    if (tb.kind !== 'real') return;
    for (const side of ['A', 'B'] as const) {
      const subnet = tryParsePrefix(tb.routers[side].phoneSubnet);
      const clash = subnet && inner.findIndex((net) => prefixesOverlap(subnet, net));
      if (clash === null || clash < 0) continue;
      ctx.addIssue({
        code: 'custom',
        path: [index, 'routers', side, 'phoneSubnet'],
        message: expected(`a phone subnet that does not overlap the tunnels' inner addresses (${tunnelInnerNet(clash)} for the testbed at place ${clash}; ${TUNNEL_INNER_RANGE} is reserved for them)`),
      });
    }
  });
}

const routersSchema = strict({ A: routerFields, B: routerFields }).superRefine(checkRouterSubnets).transform(({ A, B }) => ({ A: resolveRouter(A, 'A'), B: resolveRouter(B, 'B') }));

/** Side A uses table / rulePriority / vni, side B the next number (the routers may share a
 *  machine, and a vantage node may carry both sides of a self-pair). */
export const tunnelSchema = strict({
  mode: oneOf(TUNNEL_MODES),
  table: num({ int: true, min: 1, max: 251 }, 'an integer between 1 and 251 (a routing table id; side A uses it, side B the next one)').optional(),
  rulePriority: num({ int: true, min: 1, max: 32764 }, 'an integer between 1 and 32764 (an ip rule priority; side A uses it, side B the next one)').optional(),
  vni: num({ int: true, min: 1, max: 16777214 }, 'an integer between 1 and 16777214 (a VXLAN id; side A uses it, side B the next one)').optional(),
  vxlanPort: port().optional(),
  /** WireGuard: UDP port of side A's router and node (side B the next; default 51820 + 2 * the
   *  testbed's place). Keys are generated on each host per tunnel. */
  wireguard: strict({ listenPort: num({ int: true, min: 1, max: 65534 }, 'an integer between 1 and 65534 (a UDP port; side A uses it, side B the next one)').optional() }).optional(),
}).superRefine((t, ctx) => {
  const only = (keys: readonly ('vni' | 'vxlanPort' | 'wireguard')[], mode: string) => {
    if (t.mode === mode) return;
    for (const key of keys) {
      if (t[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], input: t[key], message: expected(`no ${key} unless mode is "${mode}" (mode is ${JSON.stringify(t.mode)})`) });
    }
  };
  only(['vni', 'vxlanPort'], 'vxlan');
  only(['wireguard'], 'wireguard');
});

const pairOf = <T extends z.ZodType>(item: T) => strict({ A: item, B: item });

export const realTestbedSchema = strict({
  id: id(),
  kind: literal('real'),
  description: str('a description').optional(),
  phones: pairOf(phoneSchema),
  routers: routersSchema,
  /** how each router reaches its vantage node (default: GRE, table 120/121, priority 1200/1201) */
  tunnel: tunnelSchema.default({ ...REAL_TESTBED_DEFAULTS.tunnel }),
});

export const emulatedTestbedSchema = strict({
  id: id(),
  kind: literal('emulated'),
  description: str('a description').optional(),
  /** name of the emulated world (`matador testbed up --world <name>`) */
  world: id(),
});

export const testbedSchema = z.discriminatedUnion('kind', [realTestbedSchema, emulatedTestbedSchema], {
  error: expected('a testbed with kind "real" or "emulated"'),
});

type ListCtx = z.core.$RefinementCtx<Array<z.output<typeof testbedSchema>>>;

/**
 * Phone subnets must not overlap, within a testbed nor across testbeds: a vantage node serving
 * two tunnels at once (both sides of a self-pair, or two testbeds) routes each subnet back
 * through its own tunnel, and a second route for the same prefix would replace the first.
 */
function checkPhoneSubnets(testbeds: Array<z.output<typeof testbedSchema>>, ctx: ListCtx): void {
  const seen: Array<{ where: string; subnet: string }> = [];
  testbeds.forEach((tb, index) => {
    if (tb.kind !== 'real') return;
    for (const side of ['A', 'B'] as const) {
      const subnet = tb.routers[side].phoneSubnet;
      const parsed = parseCidr(subnet);
      const clash = parsed && seen.find((s) => { const other = parseCidr(s.subnet); return other !== null && cidrsOverlap(parsed, other); });
      if (clash) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'routers', side, 'phoneSubnet'],
          message: expected(
            `a phone subnet that does not overlap ${clash.where} (${clash.subnet}), since a vantage node may carry both at once` +
              (subnet === REAL_TESTBED_DEFAULTS.phoneSubnets[side] ? ` (${subnet} is router ${side}'s default: set the subnet its DHCP hands out)` : ''),
          ),
        });
      }
      seen.push({ where: `testbeds[${index}].routers.${side}.phoneSubnet`, subnet });
    }
  });
}

/** Explicit VXLAN ids (side A: vni, side B: vni + 1) must not collide on a shared node. */
function checkVnis(testbeds: Array<z.output<typeof testbedSchema>>, ctx: ListCtx): void {
  const seen: Array<{ index: number; vni: number }> = [];
  testbeds.forEach((tb, index) => {
    if (tb.kind !== 'real' || tb.tunnel.vni === undefined) return;
    const vni = tb.tunnel.vni;
    const clash = seen.find((s) => Math.abs(s.vni - vni) <= 1);
    if (clash) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'tunnel', 'vni'],
        input: vni,
        message: expected(`a VXLAN id whose pair (vni, vni + 1) does not overlap that of testbeds[${clash.index}].tunnel.vni (${clash.vni})`),
      });
    }
    seen.push({ index, vni });
  });
}

export const testbedsFileSchema = strict({
  schema: literal(TESTBEDS_SCHEMA),
  description: str('a description').optional(),
  testbeds: list(testbedSchema, { min: 1, what: 'a list of testbeds' })
    .max(MAX_TESTBEDS, { error: expected(`a list of at most ${MAX_TESTBEDS} testbeds (the tunnels' inner address plan)`) })
    .superRefine((testbeds, ctx) => {
    const seen = new Map<string, number>();
    testbeds.forEach((tb, index) => {
      const first = seen.get(tb.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: expected(`a testbed id not used before (testbeds[${first}] has it)`) });
      } else seen.set(tb.id, index);
    });
    checkPhoneSubnets(testbeds, ctx);
    checkInnerRanges(testbeds, ctx);
    checkVnis(testbeds, ctx);
  }),
});

export type PhoneConfig = z.infer<typeof phoneSchema>;
/** A real testbed's router with every default filled in (what the loader returns). */
export type RouterConfig = ReturnType<typeof resolveRouter>;
export type TunnelConfig = z.infer<typeof tunnelSchema>;
export type RealTestbedConfig = z.infer<typeof realTestbedSchema>;
export type EmulatedTestbedConfig = z.infer<typeof emulatedTestbedSchema>;
export type TestbedConfig = z.infer<typeof testbedSchema>;
export type TestbedsFile = z.infer<typeof testbedsFileSchema>;
