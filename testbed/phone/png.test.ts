import { inflateSync } from 'zlib';
import { crc32, encodeGreyPng, PNG_SIGNATURE, TextCanvas } from './png';

test('crc32 matches the standard check value', () => {
  expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
});

test('encodeGreyPng writes signature, IHDR, IDAT with filter bytes, IEND; chunk CRCs verify', () => {
  const pixels = Uint8Array.from([0, 64, 128, 255, 1, 2]);
  const png = encodeGreyPng(3, 2, pixels);
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  const chunks: Array<{ type: string; data: Buffer }> = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    expect(png.readUInt32BE(off + 8 + len)).toBe(crc32(png.subarray(off + 4, off + 8 + len)));
    chunks.push({ type, data });
    off += 12 + len;
  }
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  expect(chunks[0].data.readUInt32BE(0)).toBe(3);
  expect(chunks[0].data.readUInt32BE(4)).toBe(2);
  expect([...inflateSync(chunks[1].data)]).toEqual([0, 0, 64, 128, 0, 255, 1, 2]);
  expect(() => encodeGreyPng(2, 2, pixels)).toThrow(/6 pixels for 2x2/);
});

test('text drawing sets pixels for glyphs and boxes for characters outside ASCII', () => {
  const canvas = new TextCanvas(40, 10, 255);
  const end = canvas.drawText(0, 0, 'I€', 1, 0);
  expect(end).toBe(12);
  expect(canvas.pixels.filter((p) => p === 0).length).toBeGreaterThan(10);
  // 'I' has its middle column fully set (7 rows)
  for (let row = 0; row < 7; row++) expect(canvas.pixels[row * 40 + 2]).toBe(0);
});
