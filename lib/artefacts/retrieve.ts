/**
 * `matador artefacts get|list` without the terminal: a stored record's artefacts as the central
 * artefact folder holds them, and copies of them verified against the record's sha256. Each
 * file is copied to a temporary name beside its destination and renamed only once its sha256
 * matches, so DIR never holds a corrupt copy under the artefact's name.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ArtefactRef } from '../types';

export interface RetrievedArtefact {
  artefact: ArtefactRef;
  /** ok: copied (get) or present and matching (list); unverified: a record written before
   *  shipping has no sha256; the rest name what is wrong. */
  state: 'ok' | 'unverified' | 'not-shipped' | 'missing' | 'corrupt' | 'unsafe-path';
  /** One line for people (no path of the terminal's: the caller escapes it). */
  problem: string | null;
}

/** The measurement folder name of `--out`'s default: `/` would make it nested. */
export function defaultOutDir(measurementId: string): string {
  return path.join('artefacts', measurementId.replace(/[/\\]/g, '_'));
}

/** An artefact path inside `root`, or null (absolute, `..`, NUL: a record that was altered). */
export function insideRoot(root: string, rel: string): string | null {
  if (typeof rel !== 'string' || rel === '' || rel.includes('\0') || path.isAbsolute(rel)) return null;
  const abs = path.resolve(root, rel);
  const back = path.relative(path.resolve(root), abs);
  return back === '' || back.startsWith('..') || path.isAbsolute(back) ? null : abs;
}

function sha256Of(file: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1024 * 1024);
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Checks one artefact in the central folder; with `out`, also copies it there (verified). */
export function retrieveArtefact(a: ArtefactRef, dataDir: string, out?: string): RetrievedArtefact {
  const r = (state: RetrievedArtefact['state'], problem: string | null): RetrievedArtefact => ({ artefact: a, state, problem });
  if (a.present === false) return r('not-shipped', `not shipped from testbed ${a.testbed ?? '?'}: ${[a.failure, a.detail].filter(Boolean).join(': ') || 'no reason recorded'}`);
  const src = insideRoot(dataDir, a.path);
  const dest = out === undefined ? null : insideRoot(out, a.path);
  if (!src || (out !== undefined && !dest)) return r('unsafe-path', 'the record names a path outside the artefact folder; not read');
  if (!fs.existsSync(src) || !fs.statSync(src).isFile()) return r('missing', `missing from the central artefact folder (${src})`);
  const expected = typeof a.sha256 === 'string' ? a.sha256 : null;
  if (!dest) {
    if (expected === null) return r('unverified', null);
    const got = sha256Of(src);
    return got === expected ? r('ok', null) : r('corrupt', `corrupt in the central artefact folder: sha256 ${got}, the record says ${expected}`);
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  try {
    fs.copyFileSync(src, tmp);
    const got = sha256Of(tmp);
    if (expected !== null && got !== expected) return r('corrupt', `corrupt in the central artefact folder: sha256 ${got}, the record says ${expected}; not copied`);
    fs.renameSync(tmp, dest);
    return r(expected === null ? 'unverified' : 'ok', null);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
