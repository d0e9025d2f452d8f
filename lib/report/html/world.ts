/**
 * The world map's countries as SVG paths: world-atlas TopoJSON (Natural Earth admin-0 countries,
 * public domain) through topojson-client's `feature`, projected with Natural Earth I and joined
 * to ISO alpha-2 codes by their ISO numeric `id` (configs/geo/iso-numeric.yaml). Coordinates are
 * rounded to 0.1 px and repeated points dropped: at the report's map size that loses nothing
 * visible and keeps the file small. Features without a code (N. Cyprus, Somaliland, Siachen) are
 * drawn as land with code null: unknown, never guessed.
 */
import { parse as parseYaml } from 'yaml';
import { naturalEarth } from './projection';

/** Minimal shapes of the TopoJSON / GeoJSON values used (topojson-client has no types). */
export interface Topology {
  type: 'Topology';
  objects: Record<string, { type: string; geometries?: unknown[] }>;
  arcs: unknown[];
  transform?: unknown;
}
type Ring = [number, number][];
interface Feature {
  id?: string;
  properties?: { name?: string };
  geometry: { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] } | null;
}

export interface IsoNumeric {
  /** ISO numeric code ('276') -> alpha-2 ('DE') */
  byNumeric: Map<string, string>;
  /** world-atlas feature name -> alpha-2, for features without numeric id (Kosovo) */
  byName: Map<string, string>;
}

export function parseIsoNumeric(text: string, file: string): IsoNumeric {
  const doc = parseYaml(text) as { schema?: unknown; codes?: Record<string, unknown>; byName?: Record<string, unknown> } | null;
  if (doc?.schema !== 'matador.iso-numeric/v1') throw new Error(`${file}: schema must be matador.iso-numeric/v1`);
  if (!doc.codes || typeof doc.codes !== 'object') throw new Error(`${file}: codes must be a mapping of alpha-2 code to numeric code`);
  const byNumeric = new Map<string, string>();
  for (const [alpha2, numeric] of Object.entries(doc.codes)) {
    if (!/^[A-Z]{2}$/.test(alpha2)) throw new Error(`${file}: codes.${alpha2}: not an alpha-2 code`);
    if (typeof numeric !== 'string' || !/^\d{3}$/.test(numeric)) throw new Error(`${file}: codes.${alpha2}: numeric code must be three digits in quotes, got ${JSON.stringify(numeric)}`);
    byNumeric.set(numeric, alpha2);
  }
  const byName = new Map<string, string>();
  for (const [name, alpha2] of Object.entries(doc.byName ?? {})) {
    if (typeof alpha2 !== 'string' || !/^[A-Z]{2}$/.test(alpha2)) throw new Error(`${file}: byName.${name}: not an alpha-2 code`);
    byName.set(name, alpha2);
  }
  return { byNumeric, byName };
}

export interface CountryShape {
  /** ISO alpha-2, null for features ISO has no code for */
  code: string | null;
  name: string;
  /** SVG path data in the projection's view box */
  d: string;
}

/** Points closer than this (px) to the previous kept point are dropped (radial-distance
 *  simplification): world-atlas 50m at 960 px wide is a quarter of its size, with no visible loss. */
const MIN_STEP_PX = 0.8;

function ringPath(ring: Ring): string {
  const points: [number, number][] = [];
  for (const [lon, lat] of ring) {
    const [x, y] = naturalEarth(lon, lat);
    const last = points[points.length - 1];
    if (last && Math.hypot(x - last[0], y - last[1]) < MIN_STEP_PX) continue;
    points.push([x, y]);
  }
  // A ring smaller than a pixel or two (a tiny island) is not drawn; a vantage node or endpoint
  // there still gets its marker (country points, lib/report/html/map.ts).
  if (points.length < 3) return '';
  return `M${points.map(([x, y]) => `${Math.round(x * 10) / 10} ${Math.round(y * 10) / 10}`).join(' ')}Z`;
}

function geometryPath(geometry: Feature['geometry']): string {
  if (!geometry) return '';
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.flatMap((rings) => rings.map(ringPath)).join('');
}

// topojson-client 3.1.0 ships CommonJS without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { feature } = require('topojson-client') as { feature: (t: Topology, o: unknown) => { features: Feature[] } };

/** The countries of a world-atlas topology (object `countries`), projected. */
export function countryShapes(topology: Topology, iso: IsoNumeric): CountryShape[] {
  const object = topology.objects.countries;
  if (!object) throw new Error('world map: the topology has no "countries" object');
  return feature(topology, object).features.map((f) => {
    const name = f.properties?.name ?? '';
    const code = (f.id !== undefined ? iso.byNumeric.get(f.id) : iso.byName.get(name)) ?? null;
    return { code, name, d: geometryPath(f.geometry) };
  });
}
