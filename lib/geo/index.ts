/** Geolocation, UN M49 areas and interest groups. */
export { countryInfo, allCountries, areasOf, inArea, parseM49, AREA_LEVELS, M49_FILE, type AreaLevel, type AreaRef } from './m49';
export { groupsOf, isMember, dayOf, defaultInterestGroups, loadInterestGroups, parseInterestGroups, INTEREST_GROUPS_FILE, type InterestGroup, type MembershipInterval } from './groups';
export { Geolocator, type GeolocatorOptions, type Location } from './geolocator';
export { parseCorrections, loadCorrections, CorrectionsTable, DEFAULT_CORRECTIONS_FILE, type Correction } from './corrections';
export { geoipLiteDatabase, mmdbDatabase, ip2locationDatabase, type CountryDatabase } from './databases';
export { parseIp, parseCidr, cidrContains, PrefixTable, isSpecialPurpose, SPECIAL_PURPOSE_PREFIXES, type ParsedIp, type Cidr } from './ip';
export {
  rttPlausible, distanceKm, distanceToCountryKm, minimumRttMs, smallestRtt, defaultCountryShapes, parseCountryPoints,
  FIBRE_KM_PER_MS, COUNTRY_POINTS_FILE, type LatLon, type Disc, type CountryShapes,
} from './plausibility';
