/**
 * docker-compose.temporal.yml, generated from CLUSTER (ops/cluster/declaration.ts) so that Docker
 * users get what `matador cluster up` runs: server 1.29.1 on PostgreSQL with SQL advanced
 * visibility, the same temporal-sql-tool schema steps (in admin-tools, whose schema files live
 * in /etc/temporal/schema), the same namespace retention and search attributes.
 * `UPDATE_COMPOSE=1 npx jest test/cluster/compose.test.ts` rewrites the committed file.
 */
import { stringify } from 'yaml';
import { CLUSTER, schemaSteps } from './declaration';
import { sqlToolConnectionArgs } from './schema';

export const COMPOSE_FILE_NAME = 'docker-compose.temporal.yml';
/** Where the admin-tools image keeps the server's schema folder. */
const IMAGE_SCHEMA_ROOT = '/etc/temporal/schema';
const PG_PASSWORD = 'temporal';

/** A POSIX sh word: the declaration's values are plain, but quote anyway. */
function sh(word: string): string {
  const quoted = /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
  return quoted;
}

/** Compose interpolates `$NAME`: a literal `$` for the shell is `$$`. */
function escapeCompose(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

/** The schema script: every step of every database, stop at the first failure. */
export function composeSchemaScript(): string {
  const lines: string[] = ['set -e'];
  for (const db of CLUSTER.databases) {
    for (const step of schemaSteps(db, IMAGE_SCHEMA_ROOT)) {
      lines.push(['temporal-sql-tool', ...sqlToolConnectionArgs(db.name, 'postgresql', 5432), ...step].map(sh).join(' '));
    }
  }
  return lines.join('\n');
}

/** Namespace (with retention) and search attributes; each step skips what exists. */
export function composeSetupScript(): string {
  const ns = sh(CLUSTER.namespace);
  const lines = [
    'set -e',
    'i=0; until temporal operator cluster health >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 60 ] || exit 1; sleep 2; done',
    `temporal operator namespace describe --namespace ${ns} >/dev/null 2>&1 || temporal operator namespace create --namespace ${ns} --retention ${sh(CLUSTER.retention.text)}`,
  ];
  for (const sa of CLUSTER.searchAttributes) {
    lines.push(
      `temporal operator search-attribute list --namespace ${ns} | grep -qw ${sh(sa.name)} || temporal operator search-attribute create --namespace ${ns} --name ${sh(sa.name)} --type ${sh(sa.type)}`,
    );
  }
  lines.push(`temporal operator search-attribute list --namespace ${ns}`);
  return lines.join('\n');
}

export function composeDocument(): Record<string, unknown> {
  const d = CLUSTER.defaults;
  return {
    name: 'matador-temporal',
    services: {
      postgresql: {
        image: CLUSTER.images.postgres,
        environment: { POSTGRES_USER: CLUSTER.dbUser, POSTGRES_PASSWORD: PG_PASSWORD, POSTGRES_DB: CLUSTER.dbUser },
        ports: ['127.0.0.1:5432:5432'],
        volumes: ['temporal-postgres:/var/lib/postgresql/data'],
        healthcheck: { test: ['CMD-SHELL', `pg_isready -U ${CLUSTER.dbUser} -d ${CLUSTER.dbUser}`], interval: '5s', timeout: '5s', retries: 20 },
        restart: 'unless-stopped',
      },
      'temporal-schema': {
        image: CLUSTER.images.adminTools,
        depends_on: { postgresql: { condition: 'service_healthy' } },
        environment: { SQL_PASSWORD: PG_PASSWORD },
        entrypoint: ['/bin/sh', '-c'],
        command: [escapeCompose(composeSchemaScript())],
        restart: 'no',
      },
      temporal: {
        image: CLUSTER.images.server,
        depends_on: { 'temporal-schema': { condition: 'service_completed_successfully' } },
        environment: {
          DB: CLUSTER.sqlPlugin,
          DB_PORT: '5432',
          POSTGRES_USER: CLUSTER.dbUser,
          POSTGRES_PWD: PG_PASSWORD,
          POSTGRES_SEEDS: 'postgresql',
          DBNAME: CLUSTER.databases[0].name,
          VISIBILITY_DBNAME: CLUSTER.databases[1].name,
          NUM_HISTORY_SHARDS: String(CLUSTER.numHistoryShards),
          ENABLE_ES: 'false',
          BIND_ON_IP: '0.0.0.0',
          TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
          FRONTEND_GRPC_PORT: String(d.port),
        },
        ports: [`${d.port}:${d.port}`],
        restart: 'unless-stopped',
      },
      'temporal-setup': {
        image: CLUSTER.images.adminTools,
        // Waits for the frontend itself (the setup script's first line): no health check needed in the server image.
        depends_on: { temporal: { condition: 'service_started' } },
        environment: { TEMPORAL_ADDRESS: `temporal:${d.port}` },
        entrypoint: ['/bin/sh', '-c'],
        command: [escapeCompose(composeSetupScript())],
        restart: 'no',
      },
      'temporal-ui': {
        image: CLUSTER.images.ui,
        depends_on: ['temporal'],
        environment: { TEMPORAL_ADDRESS: `temporal:${d.port}`, TEMPORAL_CORS_ORIGINS: `http://localhost:${d.uiPort}`, TEMPORAL_UI_PORT: String(d.uiPort) },
        ports: [`${d.uiPort}:${d.uiPort}`],
        restart: 'unless-stopped',
      },
    },
    volumes: { 'temporal-postgres': null },
  };
}

const HEADER = `# Production-like Temporal for MATAdOR-TS with Docker: the same server (${CLUSTER.serverVersion}), schema steps,
# namespace retention (${CLUSTER.retention.text}) and search attributes as \`matador cluster up\`.
# GENERATED from ops/cluster/declaration.ts: do not edit; regenerate with
#   UPDATE_COMPOSE=1 npx jest test/cluster/compose.test.ts
#
#   docker compose -f ${COMPOSE_FILE_NAME} up -d
#   matador worker --role central --address <this-host>:${CLUSTER.defaults.port}
#
# Ports: ${CLUSTER.defaults.port} Temporal gRPC frontend, ${CLUSTER.defaults.uiPort} Web UI, 5432 PostgreSQL (localhost only).
# temporal-schema (one-shot) creates/migrates both databases with temporal-sql-tool; temporal-setup
# (one-shot) creates the namespace and the search attributes. Both are idempotent.
# No TLS here (see README "Running on several hosts"); change the PostgreSQL password
# (POSTGRES_PASSWORD, SQL_PASSWORD, POSTGRES_PWD) before exposing anything.
`;

export function composeFileText(): string {
  return `${HEADER}${stringify(composeDocument(), { lineWidth: 0, version: '1.1' }) /* 1.1 quotes "no" as compose expects */}`;
}
