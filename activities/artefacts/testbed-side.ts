/**
 * The testbed half of shipping: `artefactManifest` lists the files a record names (bytes,
 * sha256) as the testbed's data folder holds them, `readArtefactChunk` reads one chunk of one.
 * Neither writes anything but the folder's id file.
 */
import * as fs from 'fs';
import { ARTEFACT_CHUNK_BYTES, uniqueByPath, type ArtefactManifest } from '../../lib/artefacts/shipping';
import type { ArtefactRef } from '../../lib/types';
import { throwIfCancelled } from '../heartbeat';
import { stepFailure } from '../steps/failures';
import { artefactPath, checkRange, checkSha, sha256File } from './files';
import { dataFolderId } from './folder-id';

/** The record lists at most this many artefacts (a measurement leaves a few dozen). */
export const MAX_ARTEFACTS = 1000;

export async function artefactManifest(dataDir: string, artefacts: readonly ArtefactRef[]): Promise<ArtefactManifest> {
  if (!Array.isArray(artefacts) || artefacts.length > MAX_ARTEFACTS) throw stepFailure('config_invalid', `artefacts: not a list of at most ${MAX_ARTEFACTS}`);
  const manifest: ArtefactManifest = { folder: dataFolderId(dataDir), entries: [], missing: [] };
  for (const a of uniqueByPath(artefacts)) {
    throwIfCancelled();
    const abs = artefactPath(dataDir, a.path);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch (err) {
      manifest.missing.push({ kind: a.kind, path: a.path, failure: 'artefact_missing', detail: `${abs}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      continue;
    }
    if (!stat.isFile()) {
      manifest.missing.push({ kind: a.kind, path: a.path, failure: 'artefact_missing', detail: `${abs}: not a regular file` });
      continue;
    }
    manifest.entries.push({ kind: a.kind, path: a.path, ...(await sha256File(abs)) });
  }
  return manifest;
}

/** One chunk (base64); the file must still have the manifest's size at least up to the chunk's end. */
export async function readArtefactChunk(dataDir: string, req: { path: string; sha256: string; offset: number; bytes: number }): Promise<{ data: string }> {
  const abs = artefactPath(dataDir, req.path);
  checkSha(req.sha256);
  const offset = checkRange('offset', req.offset);
  const total = checkRange('bytes', req.bytes);
  if (offset % ARTEFACT_CHUNK_BYTES !== 0 || offset >= total) throw stepFailure('config_invalid', `offset ${offset}: not a chunk of a file of ${total} bytes`);
  const length = Math.min(ARTEFACT_CHUNK_BYTES, total - offset);
  let fd: number;
  try {
    fd = fs.openSync(abs, 'r');
  } catch (err) {
    throw stepFailure('artefact_transfer_failed', `${abs}: cannot open: ${(err as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(length);
    const got = fs.readSync(fd, buf, 0, length, offset);
    if (got !== length) throw stepFailure('artefact_transfer_failed', `${abs}: read ${got} of ${length} bytes at ${offset} (the file shrank since its manifest)`);
    return { data: buf.toString('base64') };
  } finally {
    fs.closeSync(fd);
  }
}
