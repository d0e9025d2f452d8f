/**
 * After the server starts: the namespace (with CLUSTER's retention) and the Matador search
 * attributes, through the frontend like any client (over TLS with the cluster's client
 * certificate when it serves TLS). A fresh server needs a few seconds before it answers and a
 * new namespace and new search attributes need the server's caches to catch up, so all of it is
 * retried until a query naming every search attribute works.
 */
import type { Connection, TLSConfig } from '@temporalio/client';
import { msNumberToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes, retryUntilReady } from '../dev-server';
import { CLUSTER } from './declaration';

export async function ensureNamespace(connection: Connection, namespace: string): Promise<'created' | 'existed'> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return 'existed';
  } catch (err) {
    if (!/not found/i.test((err as Error).message)) throw err;
  }
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msNumberToTs(CLUSTER.retention.seconds * 1000) });
  } catch (err) {
    if (!/already (exists|registered)/i.test((err as Error).message)) throw err;
  }
  return 'created';
}

/** A query that names every Matador search attribute (it matches nothing). */
export function searchAttributeProbe(): string {
  return CLUSTER.searchAttributes.map((sa) => `${sa.name} = "matador-cluster-probe"`).join(' OR ');
}

export async function setUpNamespace(o: { address: string; tls?: TLSConfig; timeoutMs: number; gaveUp: () => boolean }): Promise<void> {
  await retryUntilReady({ ...o, what: 'Temporal server', retryMs: 500 }, async (connection) => {
    await ensureNamespace(connection, CLUSTER.namespace);
    await ensureSearchAttributes(connection, CLUSTER.namespace);
    // Added attributes reach the frontend's search-attribute cache a few seconds later; until
    // then a query naming them fails ("not a valid search attribute"). Ready means usable.
    await connection.workflowService.listWorkflowExecutions({ namespace: CLUSTER.namespace, pageSize: 1, query: searchAttributeProbe() });
  });
}
