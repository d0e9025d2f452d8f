/** What both halves of shipping share: a file's sha256 and an artefact path checked against a data folder. */
import * as crypto from 'crypto';
import * as fs from 'fs';
import { insideData } from '../steps/context';
import { stepFailure } from '../steps/failures';

export async function sha256File(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

const SHA256 = /^[0-9a-f]{64}$/;

/** An artefact path of an activity input, absolute inside `dataDir` (config_invalid otherwise). */
export function artefactPath(dataDir: string, p: unknown): string {
  const abs = insideData({ dataDir }, p, 'artefact');
  if (String(p).endsWith('.part') || String(p).endsWith('.tmp')) throw stepFailure('config_invalid', `artefact ${JSON.stringify(p)}: names a temporary file`);
  return abs;
}

export function checkSha(sha: unknown): string {
  if (typeof sha !== 'string' || !SHA256.test(sha)) throw stepFailure('config_invalid', `artefact sha256: not 64 hex digits: ${JSON.stringify(sha)}`);
  return sha;
}

export function checkRange(what: string, n: unknown): number {
  if (!Number.isSafeInteger(n) || (n as number) < 0) throw stepFailure('config_invalid', `${what}: not a whole number >= 0: ${JSON.stringify(n)}`);
  return n as number;
}

/** The part file a file's chunks are written into before it is verified (one per content). */
export function partFile(abs: string, sha256: string): string {
  return `${abs}.${sha256.slice(0, 16)}.part`;
}
