/** Geolocation, UN M49 areas and interest groups, over tables it is handed (lib/config/geo-tables.ts reads them). */
export { parseM49, M49Table, AREA_LEVELS, type AreaLevel, type AreaRef } from './m49';
export { groupsOf, isMember, dayOf, parseInterestGroups, type InterestGroup, type MembershipInterval } from './groups';
export { Geolocator, type GeolocatorOptions, type Location } from './geolocator';
export { parseCorrections, CorrectionsTable, AsCorrectionsTable, type Correction, type AsCorrectionHit } from './corrections';
export {
  geoipLiteDatabase, mmdbDatabase, ip2locationDatabase, packageDatabase, openDatabase, specKey, specFiles, packageDataDate, DEFAULT_DATABASES, DEFAULT_GEO_PACKAGE,
  type CountryDatabase, type DatabaseAnswer, type DatabaseSpec,
} from './databases';
export { ATTRIBUTIONS, uniqueAttributions, type AttributionVendor } from './attributions';
export { parseIp, parseCidr, cidrContains, PrefixTable, isSpecialPurpose, SPECIAL_PURPOSE_PREFIXES, type ParsedIp, type Cidr } from './ip';
export {
  rttPlausible, distanceKm, distanceToCountryKm, minimumRttMs, smallestRtt, parseCountryPoints,
  FIBRE_KM_PER_MS, type LatLon, type Disc, type CountryShapes,
} from './plausibility';
export { parseRangeCsv, RangeTable, RangeCsvError, type RangeKind } from './asn';
export { asSource, asSources, checkAsSource, DEFAULT_ASN_PACKAGE, DEFAULT_REGISTRATION_PACKAGE, type AsSource, type AsSourceSpec } from './as-sources';
export { AsLocator, annotateAs, annotateHopAs, asPathOf, type AsTableSource, type AsLocatorOptions } from './annotate-as';
