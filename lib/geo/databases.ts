/**
 * Country databases behind one small interface: geoip-lite (embedded data, the default),
 * MaxMind-format MMDB files (GeoLite2-Country/City, DB-IP Lite, IPinfo) via `maxmind`, and
 * IP2Location BIN files (LITE DB1 and up) via `ip2location-nodejs`. All lookups are synchronous
 * so that a Geolocator can be used inside pure data transformations.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Reader } from 'maxmind';
import { IP2Location } from 'ip2location-nodejs';

export interface CountryDatabase {
  /** Provenance label: 'geoip-lite' | 'mmdb:<file name>' | 'ip2location:<file name>'. */
  readonly source: string;
  /** Build date of the data (ISO date) or null when the file does not say. */
  readonly databaseDate: string | null;
  /** ISO 3166-1 alpha-2 code, or null when the database has no country for the address. */
  lookup(ip: string): string | null;
  close(): void;
}

const COUNTRY_CODE = /^[A-Z]{2}$/;

/**
 * geoip-lite ships GeoLite data converted at package build time and records no date inside its
 * .dat files (the npm tarball also normalises file times to 1985). The best available date is the
 * registry publication time of the version the data came with: 2.0.3 was published 2026-07-08
 * (`npm view geoip-lite time`), so the data is at most that new. Other versions: unknown date.
 */
const GEOIP_LITE_DATA_DATES: Record<string, string> = { '2.0.3': '2026-07-08' };

type GeoipLite = { lookup(ip: string): { country?: string } | null };
let geoipLiteModule: GeoipLite | null = null;

export function geoipLiteDatabase(): CountryDatabase {
  // Loading reads ~110 MB of data files: only when a lookup really needs it.
  const version = (JSON.parse(fs.readFileSync(require.resolve('geoip-lite/package.json'), 'utf8')) as { version: string }).version;
  return {
    source: 'geoip-lite',
    databaseDate: GEOIP_LITE_DATA_DATES[version] ?? null,
    lookup(ip: string): string | null {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      geoipLiteModule ??= require('geoip-lite') as GeoipLite;
      const country = geoipLiteModule.lookup(ip)?.country;
      return country && COUNTRY_CODE.test(country) ? country : null;
    },
    close() {},
  };
}

function readDatabaseFile(file: string, kind: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${kind} database ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Country from the record shapes MMDB vendors use. */
function mmdbCountry(record: unknown): string | null {
  if (!record || typeof record !== 'object') return null;
  const r = record as Record<string, unknown>;
  const candidates: unknown[] = [
    (r.country as Record<string, unknown> | undefined)?.iso_code, // MaxMind GeoLite2, DB-IP Lite
    typeof r.country === 'string' ? r.country : undefined, // IPinfo country lite
    r.country_code,
    (r.registered_country as Record<string, unknown> | undefined)?.iso_code, // anonymous/anycast ranges
  ];
  const hit = candidates.find((c): c is string => typeof c === 'string' && COUNTRY_CODE.test(c.toUpperCase()));
  return hit ? hit.toUpperCase() : null;
}

export function mmdbDatabase(file: string): CountryDatabase {
  let reader: Reader<Record<string, unknown>>;
  try {
    reader = new Reader<Record<string, unknown>>(readDatabaseFile(file, 'MMDB'));
  } catch (err) {
    if ((err as Error).message.startsWith('cannot read')) throw err;
    throw new Error(`${file} is not a valid MMDB database: ${(err as Error).message}`);
  }
  const epoch = reader.metadata.buildEpoch;
  return {
    source: `mmdb:${path.basename(file)}`,
    databaseDate: epoch instanceof Date && !Number.isNaN(epoch.getTime()) && epoch.getTime() > 0 ? epoch.toISOString().slice(0, 10) : null,
    lookup: (ip) => mmdbCountry(reader.get(ip)),
    close() {},
  };
}

export function ip2locationDatabase(file: string): CountryDatabase {
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
    lookup(ip: string): string | null {
      const country = db.getCountryShort(ip);
      return typeof country === 'string' && COUNTRY_CODE.test(country) ? country : null;
    },
    close: () => void db.close(),
  };
}
