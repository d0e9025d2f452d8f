/**
 * Interest groups with dated membership (DESIGN 4.2). The table is configs/geo/interest-groups.yaml
 * (read by lib/config/geo-tables.ts); parseInterestGroups() validates any such text, groupsOf()
 * answers "which groups contain this country on this day".
 */
import { parse as parseYaml } from 'yaml';

/** Inclusive ISO dates (YYYY-MM-DD); null = open end. */
export interface MembershipInterval {
  from: string | null;
  until: string | null;
}

export interface InterestGroup {
  name: string;
  members: Record<string, MembershipInterval[]>;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function dateField(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  // YAML 1.2 keeps unquoted dates as strings; a Date only appears with custom schemas.
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  if (typeof text !== 'string' || !ISO_DATE.test(text) || Number.isNaN(Date.parse(text))) {
    throw new Error(`${where}: expected an ISO date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return text;
}

export function parseInterestGroups(text: string, file: string): InterestGroup[] {
  const doc = parseYaml(text) as { schema?: unknown; groups?: unknown };
  if (doc?.schema !== 'matador.interest-groups/v1') {
    throw new Error(`${file}: schema must be matador.interest-groups/v1, got ${JSON.stringify(doc?.schema)}`);
  }
  if (!Array.isArray(doc.groups) || doc.groups.length === 0) throw new Error(`${file}: groups must be a non-empty list`);
  const names = new Set<string>();
  return doc.groups.map((raw: Record<string, unknown>, i: number) => {
    const where = `${file}: groups[${i}]`;
    if (typeof raw?.name !== 'string' || raw.name.trim() === '') throw new Error(`${where}.name missing`);
    if (names.has(raw.name)) throw new Error(`${where}.name: group ${raw.name} defined twice`);
    names.add(raw.name);
    if (!raw.members || typeof raw.members !== 'object' || Array.isArray(raw.members)) {
      throw new Error(`${where}.members must be a mapping COUNTRY: [intervals]`);
    }
    const members: Record<string, MembershipInterval[]> = {};
    for (const [code, intervals] of Object.entries(raw.members as Record<string, unknown>)) {
      const at = `${where}.members.${code}`;
      if (!/^[A-Z]{2}$/.test(code)) throw new Error(`${at}: not an ISO 3166-1 alpha-2 code`);
      if (!Array.isArray(intervals) || intervals.length === 0) throw new Error(`${at}: expected a non-empty list of {from, until}`);
      members[code] = intervals.map((iv: Record<string, unknown>, j: number) => {
        const from = dateField(iv?.from, `${at}[${j}].from`);
        const until = dateField(iv?.until, `${at}[${j}].until`);
        if (from && until && from > until) throw new Error(`${at}[${j}]: from ${from} is after until ${until}`);
        return { from, until };
      });
    }
    return { name: raw.name, members };
  });
}

/** The UTC calendar day of an ISO timestamp or date. */
export function dayOf(date: string | Date): string {
  const d = typeof date === 'string' ? new Date(ISO_DATE.test(date) ? `${date}T00:00:00Z` : date) : date;
  if (Number.isNaN(d.getTime())) throw new Error(`not a date: ${JSON.stringify(date)}`);
  return d.toISOString().slice(0, 10);
}

export function isMember(group: InterestGroup, country: string, date: string | Date): boolean {
  const intervals = group.members[country.toUpperCase()];
  if (!intervals) return false;
  const day = dayOf(date);
  return intervals.some((iv) => (iv.from === null || iv.from <= day) && (iv.until === null || day <= iv.until));
}

/** Names of the groups the country belongs to on that day, in table order. */
export function groupsOf(country: string, date: string | Date, groups: readonly InterestGroup[]): string[] {
  return groups.filter((g) => isMember(g, country, date)).map((g) => g.name);
}
