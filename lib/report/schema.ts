/**
 * The published JSON Schema (draft 2020-12) of the report JSON, `matador.report/v1` (DESIGN 4.3,
 * `matador report --format json`): the contract (schema, areas with network and apps counts) is
 * required, the extensions (groups, apps, input, provenance, attributions, the AS registration
 * column and the path-anomaly counts) are typed and optional. Declared against the Report
 * interfaces of lib/report/build.ts (lib/schema/dsl.ts), so the two cannot drift apart.
 */
import { EMULATED_LABEL, type Provenance } from './provenance';
import { REPORT_SCHEMA, type AreaReport, type ColumnCounts, type Report } from './build';
import { array, constant, integer, nullable, object, oneOf, record, string, type JsonSchema } from '../schema/dsl';

export const REPORT_SCHEMA_ID = 'urn:matador:schema:report:v1';

const count = integer();
const perGroup = (what: string) => record(count, what);

const columnCounts = object<ColumnCounts>()(
  {
    measurements: count,
    leftArea: integer('paths with a country outside the area'),
    accessible: perGroup('per interest group: paths crossing a member on the measurement day'),
    accessibleWithRegistration: perGroup('as accessible, AS registration countries counting too (present when some record has AS data)'),
    crossedIxpOutsideArea: integer('paths crossing an IXP in a country outside the area'),
    boomerangs: integer("paths that left the nodes' common country and came back"),
    detours: integer('application columns: paths with a country the network path did not cross'),
    detourCountries: record(count, 'application columns: detour country -> measurements'),
  },
  ['measurements', 'leftArea', 'accessible'],
);

const area = object<AreaReport>()(
  { area: string('UN M49 area name'), level: oneOf(['region', 'subregion', 'intermediate']), network: { $ref: '#/$defs/ColumnCounts' }, apps: record({ $ref: '#/$defs/ColumnCounts' }, 'per app') },
  ['area', 'level', 'network', 'apps'],
);

const provenance = object<Provenance>()(
  { emulatedRecords: count, realRecords: count, undeclaredRecords: integer('records without testbedKind'), label: nullable(constant(EMULATED_LABEL)) },
  ['emulatedRecords', 'realRecords', 'undeclaredRecords', 'label'],
  { description: 'which testbed the records come from; label set when any is emulated' },
);

const report = object<Report>()(
  {
    schema: constant(REPORT_SCHEMA),
    groups: array(string(), 'interest groups in table order'),
    apps: array(string(), 'apps in column order'),
    input: object<Report['input']>()(
      { records: count, invalidLinesSkipped: count, networkRecords: count, appRecords: record(count) },
      ['records', 'invalidLinesSkipped', 'networkRecords', 'appRecords'],
    ),
    provenance: { $ref: '#/$defs/Provenance' },
    areas: array({ $ref: '#/$defs/AreaReport' }, 'every area with at least one measurement: regions, subregions, intermediate regions'),
    attributions: array(string(), 'licence attributions of the geolocation data'),
  },
  ['schema', 'areas'],
  // DESIGN 4.3 names schema and areas; groups, apps and input are extensions.
  { lenient: ['groups', 'apps', 'input'] },
);

/** `matador.report/v1` as a JSON Schema document. */
export function reportSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: REPORT_SCHEMA_ID,
    title: REPORT_SCHEMA,
    description: "The paper's Tables 2 and 3 (and Table 4, path anomalies) as counts per area and column (DESIGN 4.3). Objects are open: v1 grows by optional fields.",
    ...report,
    $defs: { AreaReport: area, ColumnCounts: columnCounts, Provenance: provenance },
  };
}
