import { csvField, csvHeader, csvLine, csvRow, type CsvColumn } from './csv';

describe('csvField', () => {
  it('quotes per RFC 4180: commas, quotes and line breaks', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('Any2 "LA", US')).toBe('"Any2 ""LA"", US"');
  });

  it('writes unknown as the empty cell and numbers as numbers (negative too)', () => {
    expect([csvField(null), csvField(undefined), csvField(0), csvField(-3.5), csvField(true)]).toEqual(['', '', '0', '-3.5', 'true']);
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(['+1', '-1', '@SUM(A1)'].map(csvField)).toEqual(["'+1", "'-1", "'@SUM(A1)"]);
    expect(csvField('a=b')).toBe('a=b');
  });

  it('escapes control characters (a line break from traffic stays one cell, without raw controls)', () => {
    expect(csvField('evil\x1b[2Jname')).toBe('evil\\x1b[2Jname');
    expect(csvField('two\nlines')).toBe('two\\x0alines');
    expect(csvField('\tx')).toBe("'\\x09x");
  });
});

describe('CSV tables', () => {
  const columns: CsvColumn<{ n: number; s: string | null }>[] = [
    { header: 'n', cell: (r) => r.n, description: 'a number' },
    { header: 's', cell: (r) => r.s, description: 'a text' },
  ];
  it('header and rows come from one column list', () => {
    expect(csvHeader(columns) + csvRow(columns, { n: 1, s: 'x,y' }) + csvRow(columns, { n: 2, s: null })).toBe('n,s\n1,"x,y"\n2,\n');
    expect(csvLine(['a', 1])).toBe('a,1\n');
  });
});
