/**
 * Which interest groups can access a measurement's application and network path, by the same
 * functions the report counts Tables 2 and 3 with (lib/report/areas.ts: every interface of every
 * hop plus both node countries, membership on the record's finishedAt day). Not for workflow
 * code (the groups are a table read from a file): the persistRecord activity computes it and
 * the workflow puts it into its details (./measurement.ts).
 */
import type { InterestGroup } from '../geo/groups';
import type { GroupAccess } from '../measurement/payloads';
import { accessibleTo, pathCountries } from '../report/areas';
import type { MeasurementRecord } from '../types';

export function groupAccess(record: MeasurementRecord, groups: readonly InterestGroup[]): GroupAccess[] {
  const application = pathCountries(record, 'application');
  const network = pathCountries(record, 'network');
  return groups.map((g) => ({ group: g.name, application: accessibleTo(application, g, record.finishedAt), network: accessibleTo(network, g, record.finishedAt) }));
}
