/**
 * A Temporal test server with real workers (the real activities) for testbed tb1 of the emulated
 * world "small": the set-up the world-level chaos tests share. Call at module level after the
 * world's beforeAll (jest runs the hooks in order: the workers stop before the world goes down).
 */
import { useTestServer, type LiveServer } from './dev-server';
import { startRealWorkers, type RunningWorkers } from './workers';

export function useTb1Workers(namespace: string, resultsFile: () => string): () => LiveServer {
  let workers: RunningWorkers | undefined;
  return useTestServer({
    namespaces: [namespace],
    setup: async ({ native }) => {
      workers = await startRealWorkers({ connection: native, namespace, resultsFile: resultsFile(), testbeds: ['tb1'], measurement: { receiveTimeoutMs: 15_000 } });
    },
    teardown: () => workers?.stop(),
  });
}
