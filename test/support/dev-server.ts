/**
 * The Temporal test server: the binary from .tools/bin (the same start function as
 * `matador server`, ops/dev-server.ts), in-memory database, free ports, no UI, one namespace per
 * test so tests do not see each other's workflows. Stop it in afterAll. Options: a database file
 * and a fixed port (a server that is killed and started again, test/chaos), the Web UI.
 * `useTestServer` is the usual way in: the server, its connections and the file's own set-up and
 * tear-down around the tests of a file.
 */
import * as fs from 'fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import * as os from 'os';
import * as path from 'path';
import { freePort, startDevServer, type DevServer } from '../../ops/dev-server';
import { temporalBinary } from '../../lib/project-paths';
import { releaseAll } from './release';

export interface TestServer extends DevServer {
  tmpDir: string;
  logFile: string;
  port: number;
}

export async function startTestServer(o: { namespaces?: string[]; dbFile?: string; port?: number; ui?: boolean } = {}): Promise<TestServer> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-temporal-'));
  const logFile = path.join(tmpDir, 'temporal.log');
  const port = o.port ?? (await freePort());
  const uiPort = await freePort();
  try {
    const server = await startDevServer({
      binary: temporalBinary,
      port,
      uiPort,
      headless: !o.ui,
      namespaces: o.namespaces,
      dbFile: o.dbFile,
      output: { logFile },
      logLevel: 'error',
    });
    const stopServer = server.stop.bind(server);
    return {
      ...server,
      tmpDir,
      logFile,
      port,
      async stop() {
        try {
          await stopServer();
        } finally {
          fs.rmSync(tmpDir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    throw err;
  }
}

export interface LiveServer {
  server: TestServer;
  /** For workers. */
  native: NativeConnection;
  /** For clients. */
  connection: Connection;
  /** A client on the first of the namespaces (`default` without any). */
  client: Client;
}

export interface UseTestServerOptions {
  namespaces?: string[];
  /** The Web UI too (test/webui). */
  ui?: boolean;
  /** Runs once the server is up and connected, inside the beforeAll: the file's workers, stores, ... */
  setup?: (live: LiveServer) => Promise<void> | void;
  /**
   * Runs in the afterAll before the connections close and the server stops, also when `setup`
   * failed half-way: stop what `setup` started here (a separate afterAll declared after
   * useTestServer would run after the server is gone: jest runs afterAll hooks in order).
   */
  teardown?: () => Promise<void> | void;
}

/**
 * Registers beforeAll/afterAll (call it at the top of a test file or a describe): a test server
 * with these namespaces, both kinds of connection and a client, all closed after the tests. Every
 * release is attempted, also when an earlier one fails (releaseAll). Returns a
 * getter that throws when called outside the tests.
 */
export function useTestServer(o: UseTestServerOptions = {}): () => LiveServer {
  let live: Partial<LiveServer> = {};
  let ready = false;
  beforeAll(async () => {
    const server = await startTestServer({ namespaces: o.namespaces, ui: o.ui });
    live = { server };
    live.native = await NativeConnection.connect({ address: server.address });
    live.connection = await Connection.connect({ address: server.address });
    live.client = new Client({ connection: live.connection, namespace: o.namespaces?.[0] ?? 'default' });
    ready = true;
    await o.setup?.(live as LiveServer);
  });
  afterAll(async () => {
    const teardown = ready ? o.teardown : undefined;
    ready = false;
    await releaseAll([() => teardown?.(), () => live.connection?.close(), () => live.native?.close(), () => live.server?.stop()]);
  });
  return () => {
    if (!ready) throw new Error('useTestServer: the server is only up inside the tests of the file');
    return live as LiveServer;
  };
}
