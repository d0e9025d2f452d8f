import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkPostgresBinaries, DEFAULT_PG_BIN_DIR, postgresPaths } from './postgres';

test('a PostgreSQL folder without initdb is one line: the file, and how to install it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-pg-'));
  try {
    expect(() => checkPostgresBinaries(dir)).toThrow(`PostgreSQL 15 is not installed: ${dir}/initdb is missing (run scripts/setup or apt-get install postgresql-15; --pg-bin-dir / MATADOR_PG_BIN_DIR point elsewhere)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("Debian's PostgreSQL 15 is complete here (scripts/setup installs it)", () => {
  expect(() => checkPostgresBinaries(DEFAULT_PG_BIN_DIR)).not.toThrow();
});

test('data, socket folder, log and password file live in the cluster folder', () => {
  expect(postgresPaths('/d', '/bin')).toEqual({ binDir: '/bin', dataDir: '/d/postgres', socketDir: '/d/postgres-run', logFile: '/d/postgres.log', passwordFile: '/d/pg-password' });
});
