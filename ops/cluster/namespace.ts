/**
 * After the server starts: the namespace (with CLUSTER's retention) and the Matador search
 * attributes, through the frontend like any client (over TLS with the cluster's client
 * certificate when it serves TLS). A fresh server needs a few seconds before it answers and a
 * new namespace needs the server's namespace cache to catch up, so both are retried until ready.
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

export async function setUpNamespace(o: { address: string; tls?: TLSConfig; timeoutMs: number; gaveUp: () => boolean }): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !o.gaveUp()) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address: o.address, tls: o.tls, connectTimeout: 2000 });
      await ensureNamespace(connection, CLUSTER.namespace);
      await ensureSearchAttributes(connection, CLUSTER.namespace);
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
