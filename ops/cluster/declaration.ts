/**
 * The production-shaped Temporal of MATAdOR-TS, declared once: server version, the schema steps
 * run with temporal-sql-tool, the namespace and its retention, the search attributes, the ports.
 * `matador cluster up` (ops/cluster/server-config.ts) and docker-compose.temporal.yml
 * (ops/cluster/compose.ts) are both derived from this; test/cluster/compose.test.ts checks the
 * committed compose file equals the generated one.
 */
import { SEARCH_ATTRIBUTE_NAMES } from '../../temporal/conventions';

export const CLUSTER = {
  /** The server inside the Temporal CLI v1.5.1 that `matador server` runs (same history format). */
  serverVersion: '1.29.1',
  /** The Web UI the CLI v1.5.1 embeds (github.com/temporalio/ui-server/v2). */
  uiVersion: '2.42.1',
  /** Debian 12's PostgreSQL; the compose file uses the same major version. */
  postgresMajor: 15,
  /** Images of the compose file, every tag pinned (admin-tools: the 1.29.1 build with CLI 1.5.0). */
  images: {
    postgres: 'postgres:15.18',
    server: 'temporalio/server:1.29.1',
    adminTools: 'temporalio/admin-tools:1.29.1-tctl-1.18.4-cli-1.5.0',
    ui: 'temporalio/ui:2.42.1',
  },
  /** temporal-sql-tool's plugin for PostgreSQL >= 12 (also serves SQL advanced visibility). */
  sqlPlugin: 'postgres12',
  dbUser: 'temporal',
  numHistoryShards: 4,
  namespace: 'default',
  retention: { text: '30d', seconds: 30 * 24 * 3600 },
  searchAttributes: SEARCH_ATTRIBUTE_NAMES.map((name) => ({ name, type: 'Keyword' as const })),
  /**
   * Schema steps, in order, for each database (the same commands temporalio's auto-setup runs):
   * create the database (an existing one is kept), create the version tables (idempotent), then
   * apply every versioned migration not yet applied. Directories are relative to the server
   * module's schema/ folder (copied to .tools/temporal-schema by scripts/setup).
   */
  databases: [
    { name: 'temporal', store: 'default', schemaDir: 'postgresql/v12/temporal/versioned' },
    { name: 'temporal_visibility', store: 'visibility', schemaDir: 'postgresql/v12/visibility/versioned' },
  ],
  defaults: { ip: '127.0.0.1', port: 7233, uiPort: 8080, pgPort: 55432 },
} as const;

export type ClusterDatabase = (typeof CLUSTER.databases)[number];

/** temporal-sql-tool arguments of the schema steps for one database (connection flags excluded). */
export function schemaSteps(db: ClusterDatabase, schemaRoot: string): string[][] {
  return [
    ['create-database'],
    ['setup-schema', '-v', '0.0'],
    ['update-schema', '-d', `${schemaRoot}/${db.schemaDir}`],
  ];
}

/**
 * Ports besides the frontend's, derived from it so that one `--port` moves the whole block
 * (tests run several clusters side by side): gRPC of history, matching, worker and the
 * membership (ringpop) port of each service. The frontend's HTTP API is off.
 */
export interface ClusterPorts {
  frontend: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
}

export function clusterPorts(frontend: number): ClusterPorts {
  return {
    frontend,
    history: frontend + 1,
    matching: frontend + 2,
    worker: frontend + 3,
    frontendMembership: frontend + 4,
    historyMembership: frontend + 5,
    matchingMembership: frontend + 6,
    workerMembership: frontend + 7,
  };
}

/**
 * Highest frontend port: the membership ports are stored in cluster_membership.rpc_port, a
 * SMALLINT (schema/postgresql/v12/temporal/schema.sql), so the whole block stays below 32768;
 * a higher one makes the server exit at start ("value out of range for type smallint").
 */
export const MAX_FRONTEND_PORT = 32767 - 7;
