/**
 * A real Temporal dev server for tests: the binary from .tools/bin (the same start function as
 * `matador server`), in-memory database, free ports, no UI, one namespace per test so tests do
 * not see each other's workflows. Stop it in afterAll.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, startDevServer, type DevServer } from '../../cli/server-process';
import { temporalBinary } from '../../lib/project-paths';

export interface TestServer extends DevServer {
  tmpDir: string;
  logFile: string;
  port: number;
}

export async function startTestServer(o: { namespaces?: string[]; dbFile?: string } = {}): Promise<TestServer> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-temporal-'));
  const logFile = path.join(tmpDir, 'temporal.log');
  const port = await freePort();
  const uiPort = await freePort();
  try {
    const server = await startDevServer({
      binary: temporalBinary,
      port,
      uiPort,
      headless: true,
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
