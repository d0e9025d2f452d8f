import * as fs from 'fs';
import { Command } from 'commander';
import { CliError } from '../errors';
import type { Geolocator as GeolocatorClass } from '../../lib/geo/geolocator';
import { escapeText } from '../../lib/text/escape';
import { AS_COLUMNS, asCells, cliAsLocator, withAs } from './geo-as';

// Database readers (maxmind, ip2location, geoip-lite) load only when the command runs.
const geoLib = async () => ({
  ...(await import('../../lib/geo/geolocator')),
  ...(await import('../../lib/geo/ip')),
  ...(await import('../../lib/config/geo-tables')),
});

interface GeoOptions {
  json?: boolean;
  corrections: string[];
  mmdb: string[];
  ip2location: string[];
  embedded: boolean;
  asnCsv: string[];
  registrationCsv: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command): void {
  const geo = program
    .command('geo')
    .description(
      'Geolocate IP addresses to countries, with provenance. Order: corrections overlay (longest ' +
        'prefix wins; configs/geo/corrections.yaml plus --corrections files), then --ip2location BIN ' +
        'files, --mmdb files (GeoLite2-Country/City, DB-IP Lite) and geoip-lite\'s embedded data. ' +
        'Special-purpose ranges (198.18.0.0/15, 2001:db8::/32, RFC 1918, ...) are only known through ' +
        'corrections. `matador geo countries` lists the UN M49 areas of every country.',
    )
    .argument('[ip...]', 'IPv4 or IPv6 addresses')
    .option('--json', 'print JSON: [{ip, country, geo: {source, databaseDate, corrected, plausible}, as: {asn, name, registrationCountry, source, databaseDate}}]')
    .option('--corrections <file>', 'corrections YAML (schema matador.geo-corrections/v1); repeatable', collect, [])
    .option('--mmdb <file>', 'MaxMind-format database (.mmdb); repeatable, tried in order', collect, [])
    .option('--ip2location <file>', 'IP2Location BIN database; repeatable, tried first', collect, [])
    .option('--no-embedded', "do not fall back to geoip-lite's embedded data")
    .option('--asn-csv <file>', 'IP-to-ASN CSV (ip-location-db format start,end,asn,name) instead of @ip-location-db/asn; repeatable', collect, [])
    .option('--registration-csv <file>', 'registration-country CSV (start,end,CC) instead of @ip-location-db/asn-country; repeatable', collect, [])
    .addHelpText('after', '\nExamples:\n  matador geo 8.8.8.8 2a00:1450:4001::1\n  matador geo --mmdb GeoLite2-Country.mmdb --json 193.99.144.80\n  matador geo countries --json')
    .action(async (ips: string[], opts: GeoOptions) => {
      const { Geolocator, DEFAULT_CORRECTIONS_FILE, defaultCountryShapes, loadCorrections, parseIp } = await geoLib();
      if (ips.length === 0) throw new CliError('geo: give at least one IP address (or `matador geo countries`)');
      const bad = ips.find((ip) => parseIp(ip) === null);
      if (bad !== undefined) throw new CliError(`geo: not an IP address: ${JSON.stringify(bad)}`);
      const correctionsFiles = [...(fs.existsSync(DEFAULT_CORRECTIONS_FILE) ? [DEFAULT_CORRECTIONS_FILE] : []), ...opts.corrections];
      let locator: GeolocatorClass;
      let asLocator: Awaited<ReturnType<typeof cliAsLocator>>;
      try {
        const corrections = correctionsFiles.flatMap((f) => loadCorrections(f));
        locator = new Geolocator({ corrections, countryShapes: defaultCountryShapes(), mmdb: opts.mmdb, ip2location: opts.ip2location, embedded: opts.embedded });
        asLocator = await cliAsLocator(corrections, opts);
      } catch (err) {
        throw new CliError(`geo: ${(err as Error).message}`);
      }
      try {
        let results;
        try {
          results = ips.map((ip) => withAs(locator.locate(ip), asLocator));
        } catch (err) {
          throw new CliError(`geo: ${(err as Error).message}`); // a corrupt --asn-csv: file and line
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
          return;
        }
        const rows = [['IP', 'COUNTRY', 'SOURCE', 'DATA DATE', ...AS_COLUMNS], ...results.map((r) => [r.ip, r.country ?? '-', r.geo.source, r.geo.databaseDate ?? '-', ...asCells(r.as)].map(escapeText))];
        const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
        process.stdout.write(rows.map((row) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n');
      } finally {
        locator.close();
      }
    });

  geo
    .command('countries')
    .description('every ISO 3166-1 alpha-2 code UN M49 covers, with its region, subregion and intermediate region')
    .option('--json', 'print [{code, name, region, subregion, intermediateRegion}]')
    .action(async (_opts: unknown, cmd: Command) => {
      const { defaultM49 } = await import('../../lib/config/geo-tables');
      // --json may land on `geo` itself (its own --json option), so read both levels.
      const countries = defaultM49().allCountries();
      if ((cmd.optsWithGlobals() as { json?: boolean }).json) {
        process.stdout.write(`${JSON.stringify(countries, null, 2)}\n`);
        return;
      }
      const lines = countries.map((c) => [c.code, c.name, c.region ?? '-', c.subregion ?? '-', c.intermediateRegion ?? '-'].map(escapeText).join('\t'));
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
