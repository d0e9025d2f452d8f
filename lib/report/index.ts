/** Analysis of measurement records into the paper's Tables 2 and 3 (pure functions). */
export { parseMeasurementLines, recordProblem, InvalidRecordError, type InvalidLine, type ParsedDataset } from './parse';
export { pairKey, selectApplicationRecords, selectNetworkRecords } from './select';
export { pathCountries, measurementAreas, countryInArea, leavesArea, accessibleTo, compareAreas, type PathKind } from './areas';
export { buildReport, REPORT_SCHEMA, type Report, type AreaReport, type ColumnCounts, type BuildReportOptions, type CountedMeasurement } from './build';
export { reportToMarkdown, reportToCsv, percent } from './format';
export { attributionsOf, tablesOf, type RecordTables } from './geo-sources';
export { provenanceOf, provenanceLine, EMULATED_LABEL, type Provenance } from './provenance';
export {
  compareRuns,
  endpointCountry,
  COMPARE_SCHEMA,
  DEFAULT_PAIR_LIMIT,
  type Comparison,
  type CompareRun,
  type CompareOptions,
  type AreaPathChange,
  type PathChange,
  type PairChange,
  type Delta,
} from './compare';
export { comparisonToMarkdown } from './compare-format';
export { registrationCountries, accessibleWithRegistration, hasAsData, REGISTRATION_LABEL } from './registration';
