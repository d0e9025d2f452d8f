import { MAP_HEIGHT, MAP_WIDTH, naturalEarth } from './projection';

describe('naturalEarth', () => {
  it('puts (0, 0) in the middle, west left, north up', () => {
    expect(naturalEarth(0, 0)).toEqual([MAP_WIDTH / 2, MAP_HEIGHT / 2]);
    const [wx] = naturalEarth(-90, 0);
    const [, ny] = naturalEarth(0, 45);
    expect(wx).toBeLessThan(MAP_WIDTH / 2);
    expect(ny).toBeLessThan(MAP_HEIGHT / 2);
  });

  it('keeps the whole world inside the view box (d3 geoNaturalEarth1: width/height ratio about 1.92)', () => {
    const [left] = naturalEarth(-180, 0);
    const [right] = naturalEarth(180, 0);
    const [, top] = naturalEarth(0, 90);
    const [, bottom] = naturalEarth(0, -90);
    expect(right - left).toBeCloseTo(950, 6);
    expect(top).toBeGreaterThan(0);
    expect(bottom).toBeLessThan(MAP_HEIGHT);
    expect((right - left) / (bottom - top)).toBeCloseTo(1.92, 1);
  });

  it('narrows the parallels towards the poles', () => {
    const width = (lat: number) => naturalEarth(180, lat)[0] - naturalEarth(-180, lat)[0];
    expect(width(60)).toBeLessThan(width(30));
    expect(width(30)).toBeLessThan(width(0));
  });
});
