/** Connecting the CLI to Temporal: --address / --namespace, else TEMPORAL_ADDRESS /
 *  TEMPORAL_NAMESPACE, else the local dev server (`matador server`). */
import type { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { CliError } from './errors';

export const DEFAULT_ADDRESS = '127.0.0.1:7233';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

export function addTemporalOptions(cmd: Command): Command {
  return cmd
    .option('--address <host:port>', `Temporal frontend (default: $TEMPORAL_ADDRESS or ${DEFAULT_ADDRESS})`)
    .option('--namespace <name>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE or "default")');
}

export function temporalTarget(o: { address?: string; namespace?: string }): TemporalTarget {
  return {
    address: o.address ?? process.env.TEMPORAL_ADDRESS ?? DEFAULT_ADDRESS,
    namespace: o.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default',
  };
}

/** Runs `fn` with a client; a server that does not answer is one line, not a stack trace. */
export async function withClient<T>(target: TemporalTarget, fn: (client: Client) => Promise<T>): Promise<T> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: target.address, connectTimeout: 5000 });
  } catch (err) {
    throw new CliError(`cannot reach Temporal at ${target.address} (${(err as Error).message}); start it with "matador server" or pass --address`);
  }
  try {
    return await fn(new Client({ connection, namespace: target.namespace }));
  } finally {
    await connection.close();
  }
}

/** Whether a Temporal frontend answers at this address (within about two seconds). */
export async function serverAnswers(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 2000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}
