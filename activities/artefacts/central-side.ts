/**
 * The central half of shipping, on the central worker's data folder: `prepareArtefacts` decides
 * per manifest entry whether it is already there (same sha256; or the same data folder on one
 * host: verified, never copied onto itself) or must be sent, and from which offset (a part file
 * of an earlier try keeps its whole chunks); `writeArtefactChunk` writes a chunk at its offset
 * (a retried chunk overwrites the same range); `commitArtefact` verifies size + sha256 of the
 * part file and renames it into place (atomic: a reader sees the old file or the whole new one);
 * `discardArtefactParts` removes part files of a transfer that ended without commit.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApplicationFailure } from '@temporalio/activity';
import { ARTEFACT_CHUNK_BYTES, type ArtefactManifest, type PlannedArtefact } from '../../lib/artefacts/shipping';
import { throwIfCancelled } from '../heartbeat';
import { stepFailure } from '../steps/failures';
import { artefactPath, checkRange, checkSha, partFile, sha256File } from './files';
import { dataFolderId } from './folder-id';

async function shaOrNull(file: string): Promise<string | null> {
  try {
    return fs.statSync(file).isFile() ? (await sha256File(file)).sha256 : null;
  } catch {
    return null;
  }
}

export async function prepareArtefacts(dataDir: string, manifest: ArtefactManifest): Promise<PlannedArtefact[]> {
  const sameFolder = manifest.folder === dataFolderId(dataDir);
  const planned: PlannedArtefact[] = [];
  for (const e of manifest.entries) {
    throwIfCancelled();
    const abs = artefactPath(dataDir, e.path);
    checkSha(e.sha256);
    const sha = await shaOrNull(abs);
    if (sha === e.sha256) {
      planned.push({ ...e, state: 'present', from: 0 });
      continue;
    }
    // One folder: the manifest just hashed this very file; a different sum now means it changed.
    if (sameFolder) throw ApplicationFailure.nonRetryable(`${abs}: sha256 ${sha ?? '(unreadable)'} differs from the manifest's ${e.sha256} in the same data folder (the file changed while it was shipped)`, 'artefact_transfer_failed');
    let from = 0;
    try {
      const have = fs.statSync(partFile(abs, e.sha256)).size;
      if (have <= e.bytes) from = Math.floor(have / ARTEFACT_CHUNK_BYTES) * ARTEFACT_CHUNK_BYTES;
    } catch {
      // no part file: from the start
    }
    planned.push({ ...e, state: 'send', from });
  }
  return planned;
}

export function writeArtefactChunk(dataDir: string, req: { path: string; sha256: string; bytes: number; offset: number; data: string }): void {
  const abs = artefactPath(dataDir, req.path);
  const part = partFile(abs, checkSha(req.sha256));
  const offset = checkRange('offset', req.offset);
  const buf = Buffer.from(typeof req.data === 'string' ? req.data : '', 'base64');
  if (offset % ARTEFACT_CHUNK_BYTES !== 0 || buf.length > ARTEFACT_CHUNK_BYTES || offset + buf.length > checkRange('bytes', req.bytes)) {
    throw stepFailure('config_invalid', `chunk of ${buf.length} bytes at ${offset}: not a chunk of ${req.path} (${req.bytes} bytes)`);
  }
  try {
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const fd = fs.openSync(part, fs.existsSync(part) ? 'r+' : 'w');
    try {
      fs.writeSync(fd, buf, 0, buf.length, offset);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw stepFailure('artefact_transfer_failed', `${part}: cannot write ${buf.length} bytes at ${offset}: ${(err as Error).message}`);
  }
}

export async function commitArtefact(dataDir: string, req: { path: string; sha256: string; bytes: number }): Promise<void> {
  const abs = artefactPath(dataDir, req.path);
  const part = partFile(abs, checkSha(req.sha256));
  const bytes = checkRange('bytes', req.bytes);
  if (bytes === 0) {
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(part, '');
  }
  if ((await shaOrNull(abs)) === req.sha256 && !fs.existsSync(part)) return; // an earlier try committed it
  let got: { bytes: number; sha256: string };
  try {
    got = await sha256File(part);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`${part}: cannot read the received chunks: ${(err as Error).message}`, 'artefact_transfer_failed');
  }
  if (got.bytes !== bytes || got.sha256 !== req.sha256) {
    fs.rmSync(part, { force: true }); // the next try starts from nothing
    throw ApplicationFailure.nonRetryable(`${abs}: received ${got.bytes} bytes with sha256 ${got.sha256}, the testbed's file has ${bytes} bytes with sha256 ${req.sha256}`, 'artefact_transfer_failed');
  }
  fs.renameSync(part, abs);
}

export function discardArtefactParts(dataDir: string, parts: ReadonlyArray<{ path: string; sha256: string }>): void {
  for (const p of parts) fs.rmSync(partFile(artefactPath(dataDir, p.path), checkSha(p.sha256)), { force: true });
}
