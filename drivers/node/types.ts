/** What the node driver needs to reach a vantage node (the nodes-file entry is lib/config's
 *  NodeConfig). Its own module, so that index.ts re-exports the driver's parts and the parts
 *  import nothing from index.ts. */
import type { SshTarget } from '../ssh/session';

export interface NodeTarget {
  ssh: SshTarget;
  /** Interface toward the world; the phone subnet is masqueraded out of it. */
  egressInterface: string;
}
