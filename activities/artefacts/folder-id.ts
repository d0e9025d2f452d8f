/**
 * A data folder's identity: a random id kept in `<dataDir>/.matador-folder-id`, created on first
 * use. The central worker compares the testbed folder's id with its own: equal ids mean one host
 * with one data folder (the dev server, the demo, the tests), where shipping verifies the file
 * instead of copying it onto itself. Paths cannot tell this (the same folder may have two names,
 * two hosts may use the same path).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export const FOLDER_ID_FILE = '.matador-folder-id';

export function dataFolderId(dataDir: string): string {
  const file = path.join(dataDir, FOLDER_ID_FILE);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, `${crypto.randomUUID()}\n`);
  try {
    // link() refuses an existing target: of two workers creating it at once, the first id wins.
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return fs.readFileSync(file, 'utf8').trim();
}
