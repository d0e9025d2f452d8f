/**
 * The Temporal test server: the binary from .tools/bin (the same start function as
 * `matador server`, ops/dev-server.ts), in-memory database, free ports, no UI, one namespace per
 * test so tests do not see each other's workflows. Stop it in afterAll. Options: a database file
 * and a fixed port (a server that is killed and started again, test/chaos), the Web UI.
 */
import * as fs from 'fs';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import * as os from 'os';
import * as path from 'path';
import { freePort, startDevServer, type DevServer } from '../../ops/dev-server';
import { temporalBinary } from '../../lib/project-paths';

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
}

/**
 * Registers beforeAll/afterAll (call it at the top of a test file): a test server with these
 * namespaces and both kinds of connection to it, all closed after the file's tests. Returns a
 * getter that throws when called outside the tests.
 */
export function useTestServer(o: { namespaces?: string[] } = {}): () => LiveServer {
  let live: Partial<LiveServer> = {};
  beforeAll(async () => {
    const server = await startTestServer({ namespaces: o.namespaces });
    live = { server };
    live.native = await NativeConnection.connect({ address: server.address });
    live.connection = await Connection.connect({ address: server.address });
  });
  afterAll(async () => {
    await live.connection?.close();
    await live.native?.close();
    await live.server?.stop();
  });
  return () => {
    if (!live.server || !live.native || !live.connection) throw new Error('useTestServer: the server is only up inside the tests of the file');
    return live as LiveServer;
  };
}
