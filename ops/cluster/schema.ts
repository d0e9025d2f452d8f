/**
 * The schema steps of CLUSTER.databases with temporal-sql-tool: the same commands for
 * `cluster up` and the compose file's setup service. Every step is idempotent (an existing
 * database is kept, the version tables are created if missing, only new migrations run), so a
 * second `up` keeps the data. The password reaches the tool through SQL_PASSWORD, not argv.
 */
import { execFile } from 'child_process';
import * as path from 'path';
import { CLUSTER, schemaSteps } from './declaration';

export interface SchemaTarget {
  sqlTool: string;
  /** Folder holding postgresql/v12/... (scripts/setup copies it to .tools/temporal-schema/<version>). */
  schemaRoot: string;
  pgPort: number;
  password: string;
}

/** Connection flags of temporal-sql-tool for one database (the password goes by environment). */
export function sqlToolConnectionArgs(database: string, pgHost: string, pgPort: number | string): string[] {
  return ['--plugin', CLUSTER.sqlPlugin, '--ep', pgHost, '--port', String(pgPort), '--user', CLUSTER.dbUser, '--db', database];
}

export async function applySchemas(t: SchemaTarget, log: (line: string) => void = () => undefined): Promise<void> {
  for (const db of CLUSTER.databases) {
    for (const step of schemaSteps(db, t.schemaRoot)) {
      const args = [...sqlToolConnectionArgs(db.name, '127.0.0.1', t.pgPort), ...step];
      await new Promise<void>((resolve, reject) => {
        execFile(t.sqlTool, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SQL_PASSWORD: t.password }, maxBuffer: 8 * 1024 * 1024 }, (err, _stdout, stderr) => {
          if (!err) return resolve();
          const last = `${stderr}`.trim().split('\n').filter(Boolean).pop() ?? err.message;
          reject(new Error(`${path.basename(t.sqlTool)} ${step[0]} (database ${db.name}) failed: ${last.slice(0, 300)}`));
        });
      });
    }
    log(`schema ${db.name}: up to date`);
  }
}
