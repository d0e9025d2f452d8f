/**
 * Round-trip-time plausibility of a geolocation claim. Light in fibre covers about 200 km per
 * millisecond (2/3 c); an answer from a country at least D km away cannot arrive in less than
 * 2 * D / 200 ms. A hop whose smallest RTT is below that bound cannot be in the claimed country.
 * Countries are approximated by discs (configs/geo/country-points.yaml, read by
 * lib/config/geo-tables.ts), see that file for why the approximation only errs towards accepting.
 */
import { parse as parseYaml } from 'yaml';

export const FIBRE_KM_PER_MS = 200;
const EARTH_RADIUS_KM = 6371.0088;

export interface LatLon {
  lat: number;
  lon: number;
}

export interface Disc extends LatLon {
  radiusKm: number;
}

export type CountryShapes = Map<string, Disc[]>;

export function parseCountryPoints(text: string, file: string): CountryShapes {
  const doc = parseYaml(text) as { schema?: unknown; countries?: unknown };
  if (doc?.schema !== 'matador.country-points/v1') throw new Error(`${file}: schema must be matador.country-points/v1`);
  if (!doc.countries || typeof doc.countries !== 'object') throw new Error(`${file}: countries must be a mapping`);
  const shapes: CountryShapes = new Map();
  for (const [code, discs] of Object.entries(doc.countries as Record<string, unknown>)) {
    const where = `${file}: countries.${code}`;
    if (!/^[A-Z]{2}$/.test(code)) throw new Error(`${where}: not an ISO 3166-1 alpha-2 code`);
    if (!Array.isArray(discs) || discs.length === 0) throw new Error(`${where}: expected [[lat, lon, radiusKm], ...]`);
    shapes.set(
      code,
      discs.map((d: unknown, i: number) => {
        const [lat, lon, radiusKm] = Array.isArray(d) ? (d as number[]) : [];
        const ok = Array.isArray(d) && d.length === 3 && [lat, lon, radiusKm].every((n) => typeof n === 'number' && Number.isFinite(n));
        if (!ok || Math.abs(lat) > 90 || Math.abs(lon) > 180 || radiusKm < 0) throw new Error(`${where}[${i}]: bad disc ${JSON.stringify(d)}`);
        return { lat, lon, radiusKm };
      }),
    );
  }
  return shapes;
}

const rad = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle distance (haversine). */
export function distanceKm(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Distance from a point to the nearest edge of the country's discs; 0 inside; null if unknown. */
export function distanceToCountryKm(from: LatLon, country: string, shapes: CountryShapes): number | null {
  const discs = shapes.get(country.toUpperCase());
  if (!discs) return null;
  return Math.min(...discs.map((d) => Math.max(0, distanceKm(from, d) - d.radiusKm)));
}

/** The smallest round-trip time physically possible over that distance. */
export function minimumRttMs(distanceKmValue: number): number {
  return (2 * distanceKmValue) / FIBRE_KM_PER_MS;
}

/** Smallest positive measured RTT of a hop, or null when it has none. */
export function smallestRtt(rttMs: readonly number[] | undefined): number | null {
  const valid = (rttMs ?? []).filter((r) => typeof r === 'number' && Number.isFinite(r) && r >= 0);
  return valid.length ? Math.min(...valid) : null;
}

/**
 * true: the RTT allows the country; false: too fast to be there; null: not checkable (no source
 * coordinates, no RTT, or no reference area for the country).
 */
export function rttPlausible(
  source: LatLon | null,
  rttMs: readonly number[] | undefined,
  country: string,
  shapes: CountryShapes,
): boolean | null {
  const rtt = smallestRtt(rttMs);
  if (!source || rtt === null) return null;
  const distance = distanceToCountryKm(source, country, shapes);
  if (distance === null) return null;
  return rtt >= minimumRttMs(distance);
}
