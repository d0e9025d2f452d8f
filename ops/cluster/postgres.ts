/**
 * The cluster's own PostgreSQL: Debian's binaries (initdb, pg_ctl, psql), a data folder, port
 * and socket folder of its own, so it never touches a system PostgreSQL. Settings go into an
 * included file (postgresql.conf stays initdb's), never through pg_ctl -o (a shell string).
 * Local socket logins are trusted (the socket folder is 0700, its owner only); TCP logins need
 * the `temporal` role's password (scram-sha-256), which lives in a 0600 file and reaches
 * PostgreSQL on psql's stdin, never in an argument list.
 * PostgreSQL refuses to run as root: as root the server runs as the `postgres` system user.
 */
import { execFile, type ExecFileOptions } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CLUSTER } from './declaration';

export const DEFAULT_PG_BIN_DIR = `/usr/lib/postgresql/${CLUSTER.postgresMajor}/bin`;

export interface PostgresPaths {
  binDir: string;
  dataDir: string;
  socketDir: string;
  logFile: string;
  passwordFile: string;
}

export function postgresPaths(clusterDir: string, binDir: string): PostgresPaths {
  return {
    binDir,
    dataDir: path.join(clusterDir, 'postgres'),
    socketDir: path.join(clusterDir, 'postgres-run'),
    logFile: path.join(clusterDir, 'postgres.log'),
    passwordFile: path.join(clusterDir, 'pg-password'),
  };
}

/** One line when a binary is missing: which, where, how to fix. */
export function checkPostgresBinaries(binDir: string): void {
  for (const tool of ['initdb', 'pg_ctl', 'postgres', 'psql']) {
    const file = path.join(binDir, tool);
    if (!fs.existsSync(file)) {
      throw new Error(`PostgreSQL ${CLUSTER.postgresMajor} is not installed: ${file} is missing (run scripts/setup or apt-get install postgresql-${CLUSTER.postgresMajor}; --pg-bin-dir / MATADOR_PG_BIN_DIR point elsewhere)`);
    }
  }
}

interface RunAs {
  uid: number;
  gid: number;
}

/** Who runs the PostgreSQL server: this user, or `postgres` when this is root. */
export function postgresOwner(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no `postgres` system user to run PostgreSQL as (apt-get install postgresql-15 creates it)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(file: string, args: string[], o: ExecFileOptions & { input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { ...o, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const last = `${stderr}`.trim().split('\n').filter(Boolean).pop() ?? err.message;
        reject(new Error(`${path.basename(file)} ${args[0] ?? ''} failed: ${last}`));
      } else resolve(`${stdout}`);
    });
    if (o.input !== undefined) child.stdin?.end(o.input);
  });
}

function ownedBy(p: string, owner: RunAs | null): void {
  if (owner) fs.chownSync(p, owner.uid, owner.gid);
}

/** Each parent must let the PostgreSQL user pass (mkdtemp folders are 0700). */
function checkReachable(dir: string, owner: RunAs | null): void {
  if (!owner) return;
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const st = fs.statSync(d);
    const mayPass = st.uid === owner.uid ? st.mode & 0o100 : st.gid === owner.gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!mayPass) throw new Error(`the postgres user cannot reach ${dir}: ${d} is not traversable for it (chmod o+x ${d}, or choose another --data-dir)`);
  }
}

/** initdb once (an existing data folder is kept), the password file once, settings every time. */
export async function preparePostgres(p: PostgresPaths, port: number): Promise<void> {
  checkPostgresBinaries(p.binDir);
  const owner = postgresOwner();
  checkReachable(p.dataDir, owner);
  if (!fs.existsSync(p.passwordFile)) fs.writeFileSync(p.passwordFile, `${crypto.randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  for (const dir of [p.socketDir]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    ownedBy(dir, owner);
  }
  if (!fs.existsSync(p.logFile)) fs.writeFileSync(p.logFile, '', { mode: 0o600 });
  ownedBy(p.logFile, owner);
  if (!fs.existsSync(path.join(p.dataDir, 'PG_VERSION'))) {
    fs.rmSync(p.dataDir, { recursive: true, force: true }); // a half-made folder from an interrupted initdb
    fs.mkdirSync(p.dataDir, { recursive: true, mode: 0o700 });
    ownedBy(p.dataDir, owner);
    await run(path.join(p.binDir, 'initdb'), ['-D', p.dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C'], { ...(owner ?? {}) });
    fs.appendFileSync(path.join(p.dataDir, 'postgresql.conf'), "\n# matador cluster: its own port, address and socket folder\ninclude_if_exists = 'matador.conf'\n");
  }
  const quote = (v: string): string => `'${v.replace(/'/g, "''")}'`;
  const settings = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = ${quote(p.socketDir)}`,
    'max_connections = 100',
    "password_encryption = 'scram-sha-256'",
  ];
  const conf = path.join(p.dataDir, 'matador.conf');
  fs.writeFileSync(conf, `${settings.join('\n')}\n`);
  ownedBy(conf, owner);
}

export function isPostgresRunning(p: PostgresPaths): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(p.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    process.kill(pid, 0);
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return argv.includes('postgres') ? pid : null;
  } catch {
    return null;
  }
}

export async function startPostgres(p: PostgresPaths): Promise<number> {
  const owner = postgresOwner();
  await run(path.join(p.binDir, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', p.dataDir, '-l', p.logFile], { ...(owner ?? {}), stdio: ['ignore', 'pipe', 'pipe'] } as ExecFileOptions).catch((err: Error) => {
    throw new Error(`${err.message} (log ${p.logFile})`);
  });
  const pid = isPostgresRunning(p);
  if (!pid) throw new Error(`PostgreSQL did not stay up (log ${p.logFile})`);
  return pid;
}

export async function stopPostgres(p: PostgresPaths): Promise<void> {
  if (!isPostgresRunning(p)) return;
  const owner = postgresOwner();
  await run(path.join(p.binDir, 'pg_ctl'), ['stop', '-w', '-t', '60', '-m', 'fast', '-D', p.dataDir], { ...(owner ?? {}) });
}

export function readPassword(p: PostgresPaths): string {
  return fs.readFileSync(p.passwordFile, 'utf8').trim();
}

/** The `temporal` role (login, may create its databases) with the file's password; idempotent. */
export async function ensureTemporalRole(p: PostgresPaths, port: number): Promise<void> {
  const password = readPassword(p);
  if (!/^[0-9a-f]+$/.test(password)) throw new Error(`${p.passwordFile}: unexpected content (expected the generated hex password; remove it together with the data folder to start over)`);
  const role = CLUSTER.dbUser;
  const sql =
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN ` +
    `CREATE ROLE ${role} LOGIN CREATEDB PASSWORD '${password}'; ELSE ALTER ROLE ${role} LOGIN CREATEDB PASSWORD '${password}'; END IF; END $$;\n`;
  await run(path.join(p.binDir, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', p.socketDir, '-p', String(port), '-U', 'postgres', '-d', 'postgres'], { input: sql }).catch((err: Error) => {
    throw new Error(err.message.split(password).join('***')); // psql may echo the statement
  });
}
