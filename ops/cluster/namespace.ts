/**
 * After the server starts: the namespace (with CLUSTER's retention) and the Matador search
 * attributes, through the frontend like any client (over TLS with the cluster's client
 * certificate when it serves TLS). A fresh server needs a few seconds before it answers and a
 * new namespace and new search attributes need the server's caches to catch up, so all of it is
 * retried until a query naming every search attribute works.
 */
import { Connection, type TLSConfig } from '@temporalio/client';
import { msNumberToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes } from '../dev-server';
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
  const deadline = Date.now() + o.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !o.gaveUp()) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address: o.address, tls: o.tls, connectTimeout: 2000 });
      await ensureNamespace(connection, CLUSTER.namespace);
      await ensureSearchAttributes(connection, CLUSTER.namespace);
      // Added attributes reach the frontend's search-attribute cache a few seconds later; until
      // then a query naming them fails ("not a valid search attribute"). Ready means usable.
      await connection.workflowService.listWorkflowExecutions({ namespace: CLUSTER.namespace, pageSize: 1, query: searchAttributeProbe() });
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await connection?.close();
    }
  }
  if (o.gaveUp()) return; // the caller reports the exit
  throw new Error(`Temporal server at ${o.address} not ready after ${Math.round(o.timeoutMs / 1000)} s: ${((lastError as Error)?.message ?? 'no answer').split('\n')[0]}`);
}
