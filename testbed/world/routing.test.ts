import { shortestPaths, sourceRoutes, waypointPath } from './routing';

describe('world routing', () => {
  // a - b - c in a line (cost 1 each), plus a private a-c shortcut owned by a (cost 1)
  const routers = ['a', 'b', 'c', 'd'];
  const links = [
    { a: 'a', b: 'b', cost: 1 },
    { a: 'b', b: 'c', cost: 1 },
    { a: 'c', b: 'd', cost: 1 },
    { a: 'a', b: 'c', cost: 1, owner: 'a' },
  ];

  test('a private link carries only paths that start or end at its owner', () => {
    const t = shortestPaths(routers, links);
    expect(t.get('a')?.get('c')).toEqual(['a', 'c']);
    expect(t.get('c')?.get('a')).toEqual(['c', 'a']);
    expect(t.get('a')?.get('d')).toEqual(['a', 'c', 'd']); // starts at the owner
    expect(t.get('d')?.get('a')).toEqual(['d', 'c', 'a']); // ends at the owner
    expect(t.get('b')?.get('d')).toEqual(['b', 'c', 'd']);
  });

  test('paths are symmetric and ties break by router order', () => {
    const square = shortestPaths(['w', 'x', 'y', 'z'], [
      { a: 'w', b: 'x', cost: 1 },
      { a: 'x', b: 'z', cost: 1 },
      { a: 'w', b: 'y', cost: 1 },
      { a: 'y', b: 'z', cost: 1 },
    ]);
    expect(square.get('w')?.get('z')).toEqual(['w', 'x', 'z']);
    expect(square.get('z')?.get('w')).toEqual(['z', 'x', 'w']);
  });

  test('waypoint paths join shortest segments and cut loops', () => {
    const t = shortestPaths(routers, links);
    expect(waypointPath(t, 'b', ['d'], 'c')).toEqual(['b', 'c']);
    expect(waypointPath(t, 'a', ['b'], 'd')).toEqual(['a', 'b', 'c', 'd']);
    expect(() => waypointPath(t, 'a', ['nowhere'], 'd')).toThrow(/no path from a to nowhere/);
  });

  test('source routes appear only where a router would forward differently', () => {
    const t = shortestPaths(routers, links);
    // a -> d via b: a's own next hop to d is c, so a needs a source route; b and c agree already
    const routes = sourceRoutes(t, [{ source: 'a', sourceRouter: 'a', destination: 'd', destinationRouter: 'd', path: ['a', 'b', 'c', 'd'], explicit: false }]);
    expect(routes).toEqual([{ router: 'a', source: 'a', destination: 'd', nextHop: 'b' }]);
    const explicit = sourceRoutes(t, [{ source: 'a', sourceRouter: 'a', destination: 'svc', destinationRouter: 'd', path: ['a', 'c', 'd'], explicit: true }]);
    expect(explicit.map((r) => r.router)).toEqual(['a', 'c']);
  });
});
