/** The node driver's view of a vantage node (its own module, so that index.ts re-exports the
 *  driver's parts and the parts import nothing from index.ts). */
import type { SshTarget } from '../ssh/session';

export interface NodeConfig {
  ssh: SshTarget;
  /** Interface toward the world; the phone subnet is masqueraded out of it. */
  egressInterface: string;
}
