/**
 * The driver-test topology for a jest test file (kept apart from topology.ts, which benchmarks
 * import outside jest).
 */
import { buildTopology, teardownTopology, type Topology } from './topology';

/**
 * Registers beforeAll/afterAll (call it at the top of a test file): the topology is built before
 * the file's tests and torn down after them. Returns a getter that throws outside the tests.
 */
export function useTopology(): () => Topology {
  let topo: Topology | undefined;
  beforeAll(async () => {
    topo = await buildTopology();
  }, 60_000);
  afterAll(async () => {
    await teardownTopology(topo);
  }, 60_000);
  return () => {
    if (!topo) throw new Error('topology not built');
    return topo;
  };
}
