import { ARTEFACT_CHUNK_BYTES, ARTEFACT_CHUNK_PAYLOAD_BYTES, chunkOffsets, notShipped, uniqueByPath, withShipping } from './shipping';

describe('artefact shipping declarations', () => {
  it('cuts a file into whole chunks from a chunk boundary', () => {
    expect(chunkOffsets(0, 0)).toEqual([]);
    expect(chunkOffsets(0, 1)).toEqual([0]);
    expect(chunkOffsets(0, 2 * ARTEFACT_CHUNK_BYTES + 1)).toEqual([0, ARTEFACT_CHUNK_BYTES, 2 * ARTEFACT_CHUNK_BYTES]);
    expect(chunkOffsets(ARTEFACT_CHUNK_BYTES, 2 * ARTEFACT_CHUNK_BYTES)).toEqual([ARTEFACT_CHUNK_BYTES]);
  });

  it('says how large a chunk is in its payload (base64)', () => {
    expect(ARTEFACT_CHUNK_PAYLOAD_BYTES).toBe(Buffer.alloc(ARTEFACT_CHUNK_BYTES).toString('base64').length);
  });

  it("adds what shipping found to the record's list, in its order, and marks the rest not shipped with one reason", () => {
    const list = [
      { kind: 'capture', path: 'a.pcap' },
      { kind: 'screenshot', path: 'b.png' },
    ];
    const shipped = { kind: 'screenshot', path: 'b.png', bytes: 3, sha256: 'f'.repeat(64), testbed: 'tb1', present: true, failure: null, detail: null };
    expect(withShipping(list, [shipped])).toEqual([list[0], shipped]);
    expect(notShipped(list, 'tb1', 'artefact_transfer_failed', 'why')).toEqual(
      list.map((a) => ({ ...a, bytes: null, sha256: null, testbed: 'tb1', present: false, failure: 'artefact_transfer_failed', detail: 'why' })),
    );
  });

  it('lists a path once', () => {
    expect(uniqueByPath([{ kind: 'capture', path: 'a' }, { kind: 'other', path: 'a' }, { kind: 'capture', path: 'b' }]).map((a) => a.kind + a.path)).toEqual(['capturea', 'captureb']);
  });
});
