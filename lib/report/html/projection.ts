/**
 * The Natural Earth I projection (Šavrič, Patterson, Jenny 2011; the polynomial d3-geo's
 * geoNaturalEarth1 uses), written out here because d3-geo is ESM-only. Longitude/latitude in
 * degrees to SVG coordinates of a MAP_WIDTH x MAP_HEIGHT view box, north up.
 */
export const MAP_WIDTH = 960;
export const MAP_HEIGHT = 500;
// Half the projected width of the equator (lambda = pi at phi = 0: 0.8707 * pi) maps to 475 px.
const SCALE = 475 / (0.8707 * Math.PI);

export function naturalEarth(lon: number, lat: number): [number, number] {
  const lambda = (lon * Math.PI) / 180;
  const phi = (lat * Math.PI) / 180;
  const phi2 = phi * phi;
  const phi4 = phi2 * phi2;
  const x = lambda * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)));
  const y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)));
  return [MAP_WIDTH / 2 + x * SCALE, MAP_HEIGHT / 2 - y * SCALE];
}
