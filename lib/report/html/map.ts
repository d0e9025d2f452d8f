/**
 * The world map of the HTML report: the countries as inline SVG (drawn once, by the CLI) and, per
 * measurement, what the page's script needs to draw its paths as country-to-country arcs and to
 * shade the countries a cell's paths reach. A trace's country sequence starts at its node's
 * country and follows the countries of the hops' addresses in TTL order (unlocated and silent
 * hops skipped, repeats collapsed); it is not extended to where the trace was going: a trace that
 * stopped early ends where it stopped. The service endpoint is the country of the last responding
 * hop of each application trace (as `report --compare` has it), null when unknown.
 */
import type { MeasurementRecord, Side, Trace } from '../../types';
import { pathCountries } from '../areas';
import { endpointCountry } from '../compare';
import { html } from './escape';
import { MAP_HEIGHT, MAP_WIDTH, naturalEarth } from './projection';
import type { WorldData } from './world-data';
import { countrySequence } from '../../traceroute/hops';

export interface MeasurementGeo {
  /** country sequences of the network traces, and of the application traces of each side */
  net: string[][];
  appA: string[][];
  appB: string[][];
  /** pathCountries of each path (what the report counts), for shading */
  netCountries: string[];
  appCountries: string[];
  nodes: { id: string; cc: string; side: Side }[];
  /** service endpoint countries (application traces), unknown ones left out */
  ends: string[];
}

export function traceCountries(trace: Trace, record: MeasurementRecord): string[] {
  return countrySequence(trace, trace.from === 'A' ? record.nodeA.country : record.nodeB.country);
}

export function measurementGeo(record: MeasurementRecord): MeasurementGeo {
  const app = (side: Side) => record.applicationPath.traces.filter((t) => t.from === side).map((t) => traceCountries(t, record));
  const ends = new Set<string>();
  for (const t of record.applicationPath.traces) {
    const c = endpointCountry(t);
    if (c) ends.add(c);
  }
  return {
    net: record.networkPath.traces.map((t) => traceCountries(t, record)),
    appA: app('A'),
    appB: app('B'),
    netCountries: [...pathCountries(record, 'network')].sort(),
    appCountries: [...pathCountries(record, 'application')].sort(),
    nodes: [
      { id: record.nodeA.id, cc: record.nodeA.country, side: 'A' },
      { id: record.nodeB.id, cc: record.nodeB.country, side: 'B' },
    ],
    ends: [...ends].sort(),
  };
}

/** Projected reference points (SVG coordinates, 0.1 px) of the given countries that have one. */
export function projectedPoints(codes: Iterable<string>, world: WorldData): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const code of [...new Set(codes)].sort()) {
    const p = world.points.get(code);
    if (!p) continue;
    const [x, y] = naturalEarth(p[1], p[0]);
    out[code] = [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  }
  return out;
}

function outline(): string {
  const points: string[] = [];
  for (let lat = -90; lat <= 90; lat += 5) points.push(naturalEarth(-180, lat).map((v) => v.toFixed(1)).join(' '));
  for (let lat = 90; lat >= -90; lat -= 5) points.push(naturalEarth(180, lat).map((v) => v.toFixed(1)).join(' '));
  return `M${points.join(' ')}Z`;
}

/** The map: sphere, countries (data-cc: alpha-2 code, absent when unknown), an empty arcs layer. */
export function worldSvg(world: WorldData): string {
  const countries = world.countries
    .filter((c) => c.d !== '')
    .map((c) => `<path d="${c.d}"${c.code ? ` data-cc="${html(c.code)}"` : ''}><title>${html(c.name)}</title></path>`)
    .join('');
  return (
    `<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${MAP_WIDTH} ${MAP_HEIGHT}" role="img" aria-label="world map">` +
    `<path class="sphere" d="${outline()}"/><g id="countries">${countries}</g><g id="arcs"></g><g id="marks"></g></svg>`
  );
}
