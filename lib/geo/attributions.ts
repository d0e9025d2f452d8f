/**
 * The attribution texts the data licences require, declared once and keyed by vendor. Every
 * database object carries the text of its vendor (`attribution`), the geolocate step collects
 * them into the record's GeolocationInfo.attributions, and the report prints the union.
 * Other data sources (IP-to-ASN tables, PeeringDB) add their vendor here.
 */
export const ATTRIBUTIONS = {
  /** GeoLite2 EULA section 3 (the example wording it asks for); data under CC BY-SA 4.0. */
  geolite2: 'This product includes GeoLite2 Data created by MaxMind, available from https://www.maxmind.com/ (CC BY-SA 4.0).',
  /** DB-IP Lite databases, CC BY 4.0: the attribution link DB-IP asks for. */
  dbip: 'IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0.',
  /** IP2Location LITE licence (CC BY-SA 4.0): the sentence it requires. */
  ip2locationLite: 'This site or product includes IP2Location LITE data available from https://lite.ip2location.com (CC BY-SA 4.0).',
  /** IPinfo Lite / free databases, CC BY-SA 4.0. */
  ipinfo: 'IP address data powered by IPinfo (https://ipinfo.io), CC BY-SA 4.0.',
  /** @ip-location-db/asn: its ROUTEVIEWS-LICENSE, NRO_LICENSE and DBIP-LICENSE files (CC BY 4.0 each). */
  ipLocationDbAsn:
    'IP to ASN data: @ip-location-db/asn (sapics/ip-location-db), built from RouteViews (routeviews.org), the NRO RIR statistics (nro.net) and the DB-IP IP to ASN Lite database (IP Geolocation by DB-IP, https://db-ip.com), each licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); modified (merged).',
  /** @ip-location-db/asn-country: CC0, attribution to the NRO as a courtesy (its NRO_LICENSE). */
  ipLocationDbAsnCountry: 'AS registration countries: @ip-location-db/asn-country (sapics/ip-location-db, CC0 1.0), from the NRO RIR delegation statistics (nro.net).',
  /** PeeringDB dumps (ix, ixlan, ixpfx). */
  peeringdb: 'IXP peering LANs: PeeringDB (ix, ixlan, ixpfx objects), a community database',
} as const;

export type AttributionVendor = keyof typeof ATTRIBUTIONS;

/** npm packages whose data comes from one vendor (name prefix -> vendor). */
const PACKAGE_VENDORS: readonly [string, AttributionVendor][] = [
  ['@ip-location-db/geolite2-', 'geolite2'],
  ['@ip-location-db/asn-country', 'ipLocationDbAsnCountry'], // before its prefix @ip-location-db/asn
  ['@ip-location-db/asn', 'ipLocationDbAsn'],
  ['@ip-location-db/dbip-', 'dbip'],
  ['@ip-location-db/ipinfo-', 'ipinfo'],
  ['geoip-lite', 'geolite2'], // its data files are converted GeoLite2 Country/City
];

/** MMDB metadata `database_type` prefixes as the vendors write them (GeoLite2-City, DBIP-City-Lite, ipinfo ...). */
const MMDB_TYPE_VENDORS: readonly [RegExp, AttributionVendor][] = [
  [/^GeoLite2-/i, 'geolite2'],
  [/^DBIP-/i, 'dbip'],
  [/^ipinfo\b/i, 'ipinfo'],
];

/** The attribution of an npm data package; null when the vendor is not known here. */
export function packageAttribution(name: string): string | null {
  const hit = PACKAGE_VENDORS.find(([prefix]) => name === prefix || name.startsWith(prefix));
  return hit ? ATTRIBUTIONS[hit[1]] : null;
}

/** The attribution of an MMDB file by the vendor its metadata names; null when unknown. */
export function mmdbTypeAttribution(databaseType: string): string | null {
  const hit = MMDB_TYPE_VENDORS.find(([pattern]) => pattern.test(databaseType));
  return hit ? ATTRIBUTIONS[hit[1]] : null;
}

/** An IP2Location BIN file: the LITE editions (named IP2LOCATION-LITE-*) require attribution,
 *  the commercial ones do not; the BIN header does not say which, the vendor's file name does. */
export function ip2locationAttribution(fileName: string): string | null {
  return /LITE/i.test(fileName) ? ATTRIBUTIONS.ip2locationLite : null;
}

/** Distinct texts in first-seen order, nulls dropped. */
export function uniqueAttributions(texts: Iterable<string | null | undefined>): string[] {
  const out: string[] = [];
  for (const t of texts) if (t && !out.includes(t)) out.push(t);
  return out;
}
