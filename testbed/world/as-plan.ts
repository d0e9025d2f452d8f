/**
 * The emulated world's AS plan: every router belongs to an autonomous system. A router may name
 * its AS (`as: { asn, name, registeredIn }` in the world config); the others get a private-use
 * ASN (RFC 6996: 64512-65534, in router order, skipping ASNs the config names), a name from the
 * world and the router, and the router's own country as registration country. The plan goes into
 * the world's corrections file (address-plan.ts), so the geolocate step learns it the way a
 * researcher would add lab knowledge: as corrections, never from the public ASN data (the world
 * uses 198.18.0.0/15, which no public table knows).
 */
import type { WorldConfig } from './config';

export interface RouterAs {
  asn: number;
  name: string;
  /** where the AS's address block is registered (ISO 3166-1 alpha-2) */
  registeredIn: string;
}

const PRIVATE_ASN_FIRST = 64512;
const PRIVATE_ASN_LAST = 65534;

/** router id -> its AS. Throws naming the key path when two routers give one ASN two names. */
export function routerAsPlan(config: Pick<WorldConfig, 'name' | 'routers'>): Map<string, RouterAs> {
  const named = new Set(config.routers.flatMap((r) => (r.as ? [r.as.asn] : [])));
  const plan = new Map<string, RouterAs>();
  const nameOf = new Map<number, { name: string; at: number }>();
  let next = PRIVATE_ASN_FIRST;
  config.routers.forEach((r, i) => {
    if (r.as) {
      const first = nameOf.get(r.as.asn);
      if (first && first.name !== r.as.name) {
        throw new Error(`routers.${i}.as.name: AS${r.as.asn} is already named ${JSON.stringify(first.name)} at routers.${first.at}.as.name, got ${JSON.stringify(r.as.name)}`);
      }
      if (!first) nameOf.set(r.as.asn, { name: r.as.name, at: i });
      plan.set(r.id, { ...r.as });
      return;
    }
    while (named.has(next)) next++;
    if (next > PRIVATE_ASN_LAST) throw new Error(`routers.${i}: no private-use ASN left (64512-65534); give the router an as`);
    plan.set(r.id, { asn: next, name: `${config.name} world ${r.id}${r.city ? ` ${r.city}` : ''}`, registeredIn: r.country });
    next++;
  });
  return plan;
}
