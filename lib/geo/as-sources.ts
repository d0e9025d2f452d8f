/**
 * The loaders of the AS range tables (lib/geo/asn.ts parses them): an npm package of the
 * ip-location-db family (its `<name>-ipv4-num.csv` and `<name>-ipv6-num.csv`) or a CSV file the
 * campaign names. Each table is read at most once per process (cached by absolute file path) and
 * only when first needed, so `matador` commands that never look up an AS pay nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseRangeCsv, type RangeKind, type RangeTable } from './asn';
import { packageAttribution } from './attributions';
import { packageDataDate, resolvePackage } from './databases';

/** `geo.asn` / `geo.registrationCountry` entries (lib/config/campaign.ts). */
export type AsSourceSpec = { package: string } | { csv: string; date?: string; attribution?: string };

export interface AsSource {
  /** Provenance label (AsInfo.source): 'package:<npm package>' | 'csv:<file name>'. */
  readonly source: string;
  /** Build date of the data (ISO date), null when unknown. */
  readonly databaseDate: string | null;
  /** What the data's licence asks users to show. */
  readonly attribution: string;
  /** The files behind it (absolute). */
  readonly files: readonly string[];
  /** The tables (one per file, e.g. IPv4 and IPv6), read and parsed on first use. */
  tables(): RangeTable[];
}

export const DEFAULT_ASN_PACKAGE = '@ip-location-db/asn';
export const DEFAULT_REGISTRATION_PACKAGE = '@ip-location-db/asn-country';

const tables = new Map<string, RangeTable>();

function readFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Parses each file once per process. */
function cachedTables(files: readonly string[], kind: RangeKind, what: string): RangeTable[] {
  return files.map((file) => {
    const key = `${kind}\u0000${file}`;
    let table = tables.get(key);
    if (!table) tables.set(key, (table = parseRangeCsv(readFile(file, what), file, kind)));
    return table;
  });
}

function packageFiles(name: string): { files: string[]; version: string } {
  const { dir, version } = resolvePackage(name);
  const base = name.split('/').pop()!;
  const files = ['ipv4', 'ipv6'].map((f) => path.join(dir, `${base}-${f}-num.csv`));
  for (const f of files) {
    if (!fs.existsSync(f)) throw new Error(`package ${name} has no ${path.basename(f)} (expected an ip-location-db CSV package)`);
  }
  return { files, version };
}

/**
 * The source an entry names; `baseDir` resolves a relative `csv` path. Checks that the files exist
 * but parses nothing (see `checkAsSource` for the load-time check of a campaign).
 */
export function asSource(spec: AsSourceSpec, kind: RangeKind, baseDir = process.cwd()): AsSource {
  const what = kind === 'asn' ? 'IP-to-ASN table' : 'registration-country table';
  if ('package' in spec) {
    const { files, version } = packageFiles(spec.package);
    return {
      source: `package:${spec.package}`,
      databaseDate: packageDataDate(version),
      attribution: packageAttribution(spec.package) ?? `${spec.package} ${version} (no attribution known: see its licence)`,
      files,
      tables: () => cachedTables(files, kind, what),
    };
  }
  const file = path.resolve(baseDir, spec.csv);
  if (!fs.existsSync(file)) throw new Error(`cannot read ${what} ${file}: ENOENT`);
  return {
    source: `csv:${path.basename(file)}`,
    databaseDate: spec.date ?? null,
    attribution: spec.attribution ?? `${path.basename(file)} (no attribution given)`,
    files: [file],
    tables: () => cachedTables([file], kind, what),
  };
}

/** Reads and parses the source now (throws one line naming the file and line when it is corrupt). */
export function checkAsSource(source: AsSource): void {
  source.tables();
}

/** The sources of a campaign's settings; absent or empty lists mean the default package. */
export function asSources(settings: { asn?: readonly AsSourceSpec[]; registrationCountry?: readonly AsSourceSpec[] }, baseDir?: string): { asn: AsSource[]; registration: AsSource[] } {
  const asn = settings.asn?.length ? settings.asn : [{ package: DEFAULT_ASN_PACKAGE }];
  const reg = settings.registrationCountry?.length ? settings.registrationCountry : [{ package: DEFAULT_REGISTRATION_PACKAGE }];
  return { asn: asn.map((s) => asSource(s, 'asn', baseDir)), registration: reg.map((s) => asSource(s, 'country', baseDir)) };
}
