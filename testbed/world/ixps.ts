/**
 * The emulated world's Internet exchanges (world config `ixps`) and the PeeringDB dump the world
 * writes for them (pure: world.ts writes the file beside the corrections, and the lab hands it to
 * the geolocate step like the corrections).
 *
 * What it imitates and what it cannot: a real IXP is one shared peering LAN (a switch fabric with
 * one prefix, every member router has an address in it), and a traceroute that crosses it shows
 * the next network's router by its address in that LAN. Here every link stays a point-to-point
 * veth with a /32 at each end taken from its own router's /24, so the exchange's "peering LAN" is
 * the set of the end addresses of its links: the dump lists each as a /32 `ixpfx` of the
 * exchange's one `ixlan`. A probe that crosses such a link is answered by the far router from the
 * address of the interface it arrived on, which is one of those ends, so the hop is marked as in
 * the real case. Real dumps have /22-/24 and /64 peering LANs; the /32s are the deviation.
 */
import type { LinkConfig, WorldConfig } from './config';

export interface PlannedIxp {
  id: number;
  name: string;
  country: string;
  city: string | null;
  /** link ids ("a~b" as planned) and their two end addresses */
  links: { id: string; addresses: [string, string] }[];
}

/** The link a reference names ("a~b" in either order), or null. */
export function linkOf(links: readonly Pick<LinkConfig, 'a' | 'b'>[], ref: string): number {
  const [x, y] = ref.split('~');
  return links.findIndex((l) => (l.a === x && l.b === y) || (l.a === y && l.b === x));
}

/** The world's IXPs with the addresses of their links (`links` as address-plan plans them). */
export function planIxps(config: Pick<WorldConfig, 'ixps'>, links: readonly { id: string; a: string; b: string; endA: { address: string }; endB: { address: string } }[]): PlannedIxp[] {
  return (config.ixps ?? []).map((x) => ({
    id: x.id,
    name: x.name,
    country: x.country,
    city: x.city ?? null,
    links: x.links.map((ref) => {
      const l = links[linkOf(links, ref)];
      return { id: l.id, addresses: [l.endA.address, l.endB.address] as [string, string] };
    }),
  }));
}

/**
 * The dump, shaped as PeeringDB's API answers (`ix`, `ixlan`, `ixpfx`, each `{ data: [...] }`):
 * ix id = the config's id, one ixlan per exchange with the same id, ixpfx ids id * 1000 + n.
 * Ids and content depend only on the world config, so a dump is the same at every `up`.
 */
export function peeringDbDump(world: string, ixps: readonly PlannedIxp[]): Record<'ix' | 'ixlan' | 'ixpfx', { data: Record<string, unknown>[] }> {
  return {
    ix: {
      data: ixps.map((x) => ({
        id: x.id, name: x.name, name_long: `${x.name} (emulated world ${world})`, city: x.city ?? '', country: x.country,
        notes: 'point-to-point veth links stand for the shared peering LAN; each link end is a /32 prefix', status: 'ok',
      })),
    },
    ixlan: { data: ixps.map((x) => ({ id: x.id, ix_id: x.id, name: '', descr: `links ${x.links.map((l) => l.id).join(', ')}`, status: 'ok' })) },
    ixpfx: {
      data: ixps.flatMap((x) =>
        x.links.flatMap((l) => l.addresses).map((address, n) => ({ id: x.id * 1000 + n + 1, ixlan_id: x.id, protocol: 'IPv4', prefix: `${address}/32`, in_dfz: false, status: 'ok' })),
      ),
    },
  };
}
