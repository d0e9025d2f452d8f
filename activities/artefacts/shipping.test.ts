/**
 * The real shipping activities on real files: a testbed data folder and a central one (two
 * folders, as on two hosts), and one folder both sides share (one host). The chunks go the way
 * the shipping workflow sends them (manifest, plan, read + write per chunk, commit).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApplicationFailure } from '@temporalio/activity';
import { ARTEFACT_CHUNK_BYTES, chunkOffsets, type PlannedArtefact } from '../../lib/artefacts/shipping';
import { commitArtefact, discardArtefactParts, prepareArtefacts, writeArtefactChunk } from './central-side';
import { partFile } from './files';
import { dataFolderId, FOLDER_ID_FILE } from './folder-id';
import { artefactManifest, readArtefactChunk } from './testbed-side';

const ATTEMPT = 'artefacts/c1/threema/pl-waw/es-mad/attempt-1';
let root = '';
let testbed = '';
let central = '';

function write(dir: string, rel: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), data);
}

/** What the workflow does with the plan: every chunk of every file to send, then the commit. */
async function send(planned: PlannedArtefact[], from: string, to: string): Promise<number> {
  let chunks = 0;
  for (const p of planned.filter((e) => e.state === 'send')) {
    for (const offset of chunkOffsets(p.from, p.bytes)) {
      const { data } = await readArtefactChunk(from, { path: p.path, sha256: p.sha256, bytes: p.bytes, offset });
      writeArtefactChunk(to, { path: p.path, sha256: p.sha256, bytes: p.bytes, offset, data });
      chunks++;
    }
    await commitArtefact(to, { path: p.path, sha256: p.sha256, bytes: p.bytes });
  }
  return chunks;
}

const capture = crypto.randomBytes(2 * ARTEFACT_CHUNK_BYTES + 1234);
const LIST = [
  { kind: 'capture', path: `${ATTEMPT}/capture-A.pcap` },
  { kind: 'screenshot', path: `${ATTEMPT}/screenshots/open-A-1.png` },
  { kind: 'ui-dump', path: `${ATTEMPT}/screenshots/empty.xml` },
  { kind: 'baseline', path: 'baselines/c1/pl-waw.pcap' },
];

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-'));
  testbed = path.join(root, 'testbed');
  central = path.join(root, 'central');
  write(testbed, LIST[0].path, capture);
  write(testbed, LIST[1].path, Buffer.from('png bytes'));
  write(testbed, LIST[2].path, Buffer.alloc(0));
  write(testbed, LIST[3].path, Buffer.from('baseline'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('two data folders (testbed and central on different hosts)', () => {
  it('lists every file with size and sha256, ships it in chunks and verifies it centrally', async () => {
    const manifest = await artefactManifest(testbed, [...LIST, { kind: 'screenshot', path: `${ATTEMPT}/gone.png` }]);
    expect(manifest.entries.find((e) => e.kind === 'capture')).toEqual({ ...LIST[0], bytes: capture.length, sha256: crypto.createHash('sha256').update(capture).digest('hex') });
    expect(manifest.missing).toEqual([expect.objectContaining({ path: `${ATTEMPT}/gone.png`, failure: 'artefact_missing' })]);
    const planned = await prepareArtefacts(central, manifest);
    expect(planned.map((p) => [p.path, p.state, p.from])).toEqual(LIST.map((a) => [a.path, 'send', 0]));
    expect(await send(planned, testbed, central)).toBe(3 + 1 + 0 + 1); // 3 chunks, 1, none (empty), 1
    for (const a of LIST) expect(fs.readFileSync(path.join(central, a.path))).toEqual(fs.readFileSync(path.join(testbed, a.path)));
    // nothing but the artefacts (and the folder id) is left centrally: no part file
    expect(fs.readdirSync(path.join(central, ATTEMPT)).sort()).toEqual(['capture-A.pcap', 'screenshots']);
    expect(fs.readdirSync(path.join(central, ATTEMPT, 'screenshots')).sort()).toEqual(['empty.xml', 'open-A-1.png']);
  });

  it('sends nothing again for files the central folder already holds with the same sha256', async () => {
    await send(await prepareArtefacts(central, await artefactManifest(testbed, LIST)), testbed, central);
    const again = await prepareArtefacts(central, await artefactManifest(testbed, LIST));
    expect(again.map((p) => p.state)).toEqual(['present', 'present', 'present', 'present']);
    expect(await send(again, testbed, central)).toBe(0);
  });

  it('resumes an interrupted transfer from its last whole chunk; a retried chunk overwrites its range', async () => {
    const manifest = await artefactManifest(testbed, [LIST[0]]);
    const [entry] = manifest.entries;
    const first = await readArtefactChunk(testbed, { ...entry, offset: 0 });
    writeArtefactChunk(central, { ...entry, offset: 0, data: first.data });
    writeArtefactChunk(central, { ...entry, offset: 0, data: first.data }); // the same chunk retried
    const resumed = await prepareArtefacts(central, manifest);
    expect(resumed).toEqual([expect.objectContaining({ state: 'send', from: ARTEFACT_CHUNK_BYTES })]);
    expect(await send(resumed, testbed, central)).toBe(2);
    expect(fs.readFileSync(path.join(central, entry.path))).toEqual(capture);
  });

  it('refuses a central copy that differs from the manifest, removes it, and leaves no file under the name', async () => {
    const [entry] = (await artefactManifest(testbed, [LIST[0]])).entries;
    for (const offset of chunkOffsets(0, entry.bytes)) {
      const { data } = await readArtefactChunk(testbed, { ...entry, offset });
      const bytes = Buffer.from(data, 'base64');
      if (offset === ARTEFACT_CHUNK_BYTES) bytes[7] ^= 0xff; // one bit pattern flipped on the way
      writeArtefactChunk(central, { ...entry, offset, data: bytes.toString('base64') });
    }
    const err = await commitArtefact(central, entry).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'artefact_transfer_failed', nonRetryable: true });
    expect((err as Error).message).toContain(`the testbed's file has ${entry.bytes} bytes with sha256 ${entry.sha256}`);
    expect(fs.existsSync(path.join(central, entry.path))).toBe(false);
    expect(fs.existsSync(partFile(path.join(central, entry.path), entry.sha256))).toBe(false);
  });

  it('removes the part files of a transfer that ended without a commit', async () => {
    const [entry] = (await artefactManifest(testbed, [LIST[0]])).entries;
    writeArtefactChunk(central, { ...entry, offset: 0, data: (await readArtefactChunk(testbed, { ...entry, offset: 0 })).data });
    discardArtefactParts(central, [entry]);
    expect(fs.readdirSync(path.join(central, ATTEMPT))).toEqual([]);
  });

  it('refuses paths outside the data folder, temporary names, chunks off the grid and bad checksums (config_invalid)', async () => {
    await expect(artefactManifest(testbed, [{ kind: 'capture', path: '../central/x' }])).rejects.toMatchObject({ type: 'config_invalid' });
    await expect(artefactManifest(testbed, [{ kind: 'capture', path: '/etc/passwd' }])).rejects.toMatchObject({ type: 'config_invalid' });
    const [entry] = (await artefactManifest(testbed, [LIST[0]])).entries;
    await expect(readArtefactChunk(testbed, { ...entry, offset: 17 })).rejects.toMatchObject({ type: 'config_invalid' });
    expect(() => writeArtefactChunk(central, { ...entry, path: `${entry.path}.0123456789abcdef.part`, offset: 0, data: '' })).toThrow(/temporary file/);
    expect(() => writeArtefactChunk(central, { ...entry, sha256: 'x', offset: 0, data: '' })).toThrow(/not 64 hex digits/);
    expect(() => writeArtefactChunk(central, { ...entry, bytes: 10, offset: 0, data: Buffer.alloc(11).toString('base64') })).toThrow(/not a chunk/);
  });

  it('fails a chunk read of a file that shrank since its manifest (artefact_transfer_failed)', async () => {
    const [entry] = (await artefactManifest(testbed, [LIST[0]])).entries;
    fs.truncateSync(path.join(testbed, entry.path), 10);
    await expect(readArtefactChunk(testbed, { ...entry, offset: 0 })).rejects.toMatchObject({ type: 'artefact_transfer_failed' });
  });

  it('tells the two folders apart by their ids', () => {
    expect(dataFolderId(testbed)).not.toBe(dataFolderId(central));
    expect(dataFolderId(testbed)).toBe(fs.readFileSync(path.join(testbed, FOLDER_ID_FILE), 'utf8').trim());
  });
});

describe('one data folder (central and testbed worker on one host)', () => {
  it('verifies every file in place and copies nothing (no part file, file untouched)', async () => {
    const before = fs.statSync(path.join(testbed, LIST[0].path));
    const planned = await prepareArtefacts(testbed, await artefactManifest(testbed, LIST));
    expect(planned.map((p) => p.state)).toEqual(['present', 'present', 'present', 'present']);
    expect(await send(planned, testbed, testbed)).toBe(0);
    const after = fs.statSync(path.join(testbed, LIST[0].path));
    expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);
  });

  it('refuses a file that changed between manifest and plan instead of shipping it onto itself', async () => {
    const manifest = await artefactManifest(testbed, [LIST[1]]);
    fs.writeFileSync(path.join(testbed, LIST[1].path), 'changed');
    await expect(prepareArtefacts(testbed, manifest)).rejects.toMatchObject({ type: 'artefact_transfer_failed' });
  });
});
