import { CaptureFormatError, CaptureReader, type RawPacket } from './capture-reader';
import { pcapFile, pcapngFile, type RecordSpec } from './pcap-writer';

/** A packet as the tests keep it: the reader's record with its borrowed bytes copied as hex. */
type Seen = Omit<RawPacket, 'data' | 'offset'> & { hex: string };

function read(file: Buffer, chunkSize = file.length): { seen: Seen[]; reader: CaptureReader } {
  const seen: Seen[] = [];
  const reader = new CaptureReader((p: RawPacket) =>
    seen.push({
      linkType: p.linkType,
      interfaceId: p.interfaceId,
      sec: p.sec,
      nsec: p.nsec,
      digits: p.digits,
      capturedLength: p.capturedLength,
      originalLength: p.originalLength,
      hex: p.data.toString('hex', p.offset, p.offset + p.capturedLength),
    }),
  );
  for (let at = 0; at < file.length; at += chunkSize) reader.push(file.subarray(at, at + chunkSize));
  reader.end();
  return { seen, reader };
}

const records: RecordSpec[] = [
  { sec: 1795234329, fraction: 123456, data: Buffer.from('00112233', 'hex') },
  { sec: 1795234330, fraction: 999999, data: Buffer.from('aabbccddeeff', 'hex'), originalLength: 1500 },
];

describe('CaptureReader: classic pcap', () => {
  it.each([
    ['little-endian', false],
    ['big-endian', true],
  ])('reads %s microsecond files', (_name, bigEndian) => {
    const { seen, reader } = read(pcapFile(1, records, { bigEndian }));
    expect(reader.format).toBe('pcap');
    expect(reader.records).toBe(2);
    expect(seen).toEqual([
      { linkType: 1, interfaceId: 0, sec: 1795234329, nsec: 123456000, digits: 6, capturedLength: 4, originalLength: 4, hex: '00112233' },
      { linkType: 1, interfaceId: 0, sec: 1795234330, nsec: 999999000, digits: 6, capturedLength: 6, originalLength: 1500, hex: 'aabbccddeeff' },
    ]);
  });

  it.each([
    ['little-endian', false],
    ['big-endian', true],
  ])('reads %s nanosecond files (magic a1b23c4d)', (_name, bigEndian) => {
    const { seen } = read(pcapFile(101, [{ sec: 7, fraction: 123456789, data: Buffer.from([0x45]) }], { bigEndian, nanos: true }));
    expect(seen).toEqual([{ linkType: 101, interfaceId: 0, sec: 7, nsec: 123456789, digits: 9, capturedLength: 1, originalLength: 1, hex: '45' }]);
  });

  it('gives the same packets whatever the chunk size (one byte at a time included)', () => {
    const file = pcapFile(1, records);
    const whole = read(file).seen;
    for (const size of [1, 3, 16, 17, 40]) expect(read(file, size).seen).toEqual(whole);
  });

  it('masks the FCS bits out of the link-type field', () => {
    const file = pcapFile(1, records);
    file.writeUInt32LE(0x10000001, 20);
    expect(read(file).seen[0].linkType).toBe(1);
  });

  it('reports a file that ends inside a record as cut short, keeping what came before', () => {
    const file = pcapFile(1, records);
    const { seen, reader } = read(file.subarray(0, file.length - 3));
    expect(seen).toHaveLength(1);
    expect(reader.cutShort).toMatch(/file ends inside a record at offset 44/);
  });
});

describe('CaptureReader: pcapng', () => {
  const ethernet = Buffer.from('020000000002020000000001080045', 'hex');
  const raw = Buffer.from('6000000000', 'hex');
  it.each([
    ['little-endian', false],
    ['big-endian', true],
  ])('reads %s files with several interfaces (link type and tsresol per interface)', (_name, bigEndian) => {
    const file = pcapngFile(
      [{ linkType: 1 }, { linkType: 101, tsresol: 9 }, { linkType: 113, tsresol: 3 }],
      [
        { sec: 1795234329, fraction: 123456, data: ethernet, interfaceId: 0 },
        { sec: 1795234329, fraction: 123456789, data: raw, interfaceId: 1, originalLength: 90 },
        { sec: 1795234330, fraction: 7, data: raw, interfaceId: 2 },
      ],
      { bigEndian },
    );
    const { seen, reader } = read(file, 13);
    expect(reader.format).toBe('pcapng');
    expect(seen.map((p) => [p.linkType, p.interfaceId, p.sec, p.nsec, p.digits, p.capturedLength, p.originalLength])).toEqual([
      [1, 0, 1795234329, 123456000, 6, 15, 15],
      [101, 1, 1795234329, 123456789, 9, 5, 90],
      [113, 2, 1795234330, 7000000, 3, 5, 5],
    ]);
    expect(seen[1].hex).toBe('6000000000');
  });

  it('counts packets of undeclared interfaces without delivering them', () => {
    const file = pcapngFile([{ linkType: 1 }], [{ sec: 1, fraction: 0, data: raw, interfaceId: 4 }]);
    const { seen, reader } = read(file);
    expect(seen).toHaveLength(0);
    expect(reader.records).toBe(1);
    expect(reader.orphanRecords).toBe(1);
  });

  it('rejects a block whose trailing length disagrees', () => {
    const file = pcapngFile([{ linkType: 1 }], []);
    file.writeUInt32LE(999, file.length - 4);
    expect(() => read(file)).toThrow(/corrupt pcapng block at offset 28: trailing length/);
  });
});

describe('CaptureReader: not a capture', () => {
  it('rejects an empty file', () => {
    expect(() => read(Buffer.alloc(0))).toThrow(new CaptureFormatError('empty file, not a capture'));
  });
  it('rejects unknown magic with the bytes it found', () => {
    expect(() => read(Buffer.from('hello world, this is text\n'))).toThrow(/not a pcap or pcapng file \(starts with 0x68656c6c\)/);
  });
  it('rejects a file shorter than any header', () => {
    expect(() => read(Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 0x02]))).toThrow(/too short to be a capture \(5 bytes\)/);
  });
  it('rejects an absurd record length instead of buffering it', () => {
    const file = pcapFile(1, records);
    file.writeUInt32LE(0x7fffffff, 24 + 8);
    expect(() => read(file)).toThrow(/captured length 2147483647 exceeds/);
  });
  it('rejects an unsupported pcap version', () => {
    const file = pcapFile(1, []);
    file.writeUInt16LE(1, 4);
    expect(() => read(file)).toThrow(/unsupported pcap version 1\.4/);
  });
});
