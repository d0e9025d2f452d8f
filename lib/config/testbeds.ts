/**
 * `matador.testbeds/v1`: the testbeds (two phones + two WLAN routers each) a campaign runs on.
 * A testbed runs one measurement at a time; its activities go to task queue `testbed-<id>`.
 * Real testbeds name their hardware; emulated ones only name the emulated world whose state
 * supplies the endpoints at run time. SSH keys are referenced by PATH, never inlined, so no
 * secret ever travels in a config, a workflow input or a log line.
 */
import { z } from 'zod';
import { expected, id, list, literal, port, str, strict } from './fields';

export const TESTBEDS_SCHEMA = 'matador.testbeds/v1';

/** A path reference; rejects pasted key material, the one secret that tends to end up in YAML. */
function pathRef(what: string) {
  const error = expected(`${what} (a path, not the key itself)`);
  return z
    .string({ error })
    .min(1, { error })
    .refine((v) => !/-----BEGIN|PRIVATE KEY|\n/.test(v), { error });
}

export const phoneSchema = strict({
  /** adb serial (`adb devices`), e.g. `ZY2234ABCD` or `192.168.1.20:5555` */
  serial: str('an adb serial number'),
});

export const routerSchema = strict({
  host: str('a host name or IP address'),
  port: port().default(22),
  user: str('a user name'),
  identityFile: pathRef('the path of the SSH private key file'),
  knownHostsFile: pathRef('the path of a known_hosts file pinning the router host key'),
  /** interface of the phone's WLAN (default: the router driver's default) */
  wlanInterface: str('a network interface name').optional(),
});

const pairOf = <T extends z.ZodType>(item: T) => strict({ A: item, B: item });

export const realTestbedSchema = strict({
  id: id(),
  kind: literal('real'),
  description: str('a description').optional(),
  phones: pairOf(phoneSchema),
  routers: pairOf(routerSchema),
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

export const testbedsFileSchema = strict({
  schema: literal(TESTBEDS_SCHEMA),
  description: str('a description').optional(),
  testbeds: list(testbedSchema, { min: 1, what: 'a list of testbeds' }).superRefine((testbeds, ctx) => {
    const seen = new Map<string, number>();
    testbeds.forEach((tb, index) => {
      const first = seen.get(tb.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: expected(`a testbed id not used before (testbeds[${first}] has it)`) });
      } else seen.set(tb.id, index);
    });
  }),
});

export type PhoneConfig = z.infer<typeof phoneSchema>;
export type RouterConfig = z.infer<typeof routerSchema>;
export type RealTestbedConfig = z.infer<typeof realTestbedSchema>;
export type EmulatedTestbedConfig = z.infer<typeof emulatedTestbedSchema>;
export type TestbedConfig = z.infer<typeof testbedSchema>;
export type TestbedsFile = z.infer<typeof testbedsFileSchema>;
