/**
 * Router-level paths of the emulated world (pure). Shortest paths by link cost, where a
 * private link may only be used by paths that start or end at its owner (a "direct path" such
 * as Zurich - Hong Kong that only Swiss traffic uses), plus explicit waypoint overrides for
 * the paper's detours. Paths are symmetric unless an override says otherwise.
 */

export interface GraphLink {
  a: string;
  b: string;
  cost: number;
  /** Private link: only paths that start or end at this router may use it. */
  owner?: string;
}

export type PathTable = Map<string, Map<string, string[]>>; // src -> dst -> [src, ..., dst]

interface Edge {
  to: string;
  cost: number;
  owner?: string;
}

function adjacency(routers: string[], links: GraphLink[]): Map<string, Edge[]> {
  const adj = new Map<string, Edge[]>(routers.map((r) => [r, []]));
  for (const l of links) {
    adj.get(l.a)?.push({ to: l.b, cost: l.cost, owner: l.owner });
    adj.get(l.b)?.push({ to: l.a, cost: l.cost, owner: l.owner });
  }
  return adj;
}

/**
 * Single-source constrained Dijkstra. Two labels per router: reached "open" (may continue) and
 * reached "closed" (arrived over a private link into its owner, so the path must end there).
 * A private link is usable as the first link when the source owns it, or as the last link into
 * its owner. Ties break by router order, so results are deterministic.
 */
function pathsFrom(src: string, routers: string[], adj: Map<string, Edge[]>): Map<string, string[]> {
  const order = new Map(routers.map((r, i) => [r, i]));
  const openDist = new Map<string, number>([[src, 0]]);
  const openPrev = new Map<string, string | null>([[src, null]]);
  const closedDist = new Map<string, number>();
  const closedPrev = new Map<string, string>();
  const done = new Set<string>();
  for (;;) {
    let best: string | null = null;
    for (const [r, d] of openDist) {
      if (done.has(r)) continue;
      const bd = best === null ? Infinity : (openDist.get(best) as number);
      if (d < bd || (d === bd && best !== null && (order.get(r) as number) < (order.get(best) as number))) best = r;
    }
    if (best === null) break;
    done.add(best);
    const base = openDist.get(best) as number;
    for (const e of adj.get(best) ?? []) {
      const d = base + e.cost;
      if (e.owner === undefined || (best === src && src === e.owner)) {
        if (!done.has(e.to) && d < (openDist.get(e.to) ?? Infinity)) {
          openDist.set(e.to, d);
          openPrev.set(e.to, best);
        }
      } else if (e.to === e.owner && d < (closedDist.get(e.to) ?? Infinity)) {
        closedDist.set(e.to, d);
        closedPrev.set(e.to, best);
      }
    }
  }
  const openPath = (r: string): string[] => {
    const out: string[] = [];
    for (let cur: string | null = r; cur !== null; cur = openPrev.get(cur) ?? null) out.unshift(cur);
    return out;
  };
  const result = new Map<string, string[]>();
  for (const dst of routers) {
    const o = openDist.get(dst) ?? Infinity;
    const c = closedDist.get(dst) ?? Infinity;
    if (o === Infinity && c === Infinity) continue;
    result.set(dst, o <= c ? openPath(dst) : [...openPath(closedPrev.get(dst) as string), dst]);
  }
  return result;
}

/** All-pairs router paths, made symmetric: the path b->a is the reverse of a->b (a before b). */
export function shortestPaths(routers: string[], links: GraphLink[]): PathTable {
  const adj = adjacency(routers, links);
  const table: PathTable = new Map(routers.map((r) => [r, pathsFrom(r, routers, adj)]));
  for (let i = 0; i < routers.length; i++) {
    for (let j = i + 1; j < routers.length; j++) {
      const fwd = table.get(routers[i])?.get(routers[j]);
      if (fwd) table.get(routers[j])?.set(routers[i], [...fwd].reverse());
    }
  }
  return table;
}

/** Path through waypoints: shortest segments src -> via[0] -> ... -> dst, loops removed. */
export function waypointPath(table: PathTable, src: string, via: string[], dst: string): string[] {
  const stops = [src, ...via, dst];
  let out: string[] = [src];
  for (let i = 0; i + 1 < stops.length; i++) {
    const seg = table.get(stops[i])?.get(stops[i + 1]);
    if (!seg) throw new Error(`no path from ${stops[i]} to ${stops[i + 1]} (waypoints ${stops.join(' -> ')})`);
    out = out.concat(seg.slice(1));
  }
  // A waypoint detour may revisit a router; cut the loop so forwarding stays loop-free.
  const clean: string[] = [];
  for (const r of out) {
    const at = clean.indexOf(r);
    if (at >= 0) clean.length = at;
    clean.push(r);
  }
  return clean;
}

/** One route a router must install outside its main table: for traffic from `source`. */
export interface SourceRoute {
  router: string;
  source: string; // source key: a router id (its prefixes) or an element id (its /32)
  destination: string; // destination key: router id or element id
  nextHop: string; // neighbour router id
}

export interface RouteDemand {
  source: string;
  sourceRouter: string;
  destination: string;
  destinationRouter: string;
  path: string[];
  /** true: the destination is an element (/32) with its own path: install at every hop. */
  explicit: boolean;
}

/**
 * Turns desired end-to-end paths into per-source routes wherever the routers' own
 * (destination-based) next hop would deviate, so that hop-by-hop forwarding follows every
 * desired path exactly.
 */
export function sourceRoutes(table: PathTable, demands: RouteDemand[]): SourceRoute[] {
  const out: SourceRoute[] = [];
  for (const d of demands) {
    for (let i = 0; i + 1 < d.path.length; i++) {
      const router = d.path[i];
      const want = d.path[i + 1];
      const main = table.get(router)?.get(d.destinationRouter)?.[1];
      if (d.explicit || main !== want) out.push({ router, source: d.source, destination: d.destination, nextHop: want });
    }
  }
  return out;
}
