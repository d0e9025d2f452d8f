import { insertRange } from './fragments';

describe('insertRange', () => {
  it('merges overlapping and adjacent ranges, keeps gaps', () => {
    const ranges: number[] = [];
    insertRange(ranges, 16, 24);
    insertRange(ranges, 0, 8);
    expect(ranges).toEqual([0, 8, 16, 24]);
    insertRange(ranges, 8, 16); // fills the gap exactly
    expect(ranges).toEqual([0, 24]);
    insertRange(ranges, 40, 48);
    insertRange(ranges, 20, 44); // overlaps both
    expect(ranges).toEqual([0, 48]);
    insertRange(ranges, 5, 5); // empty: ignored
    expect(ranges).toEqual([0, 48]);
  });
});
