/**
 * What the tunnel driver's WireGuard ends leave on this machine when their wireguard-go is killed
 * with the emulated hosts (SIGKILL of a namespace's processes, a crashed test): the control
 * socket /var/run/wireguard/<ifname>.sock and the driver's state files (generated key, pid, log)
 * in WIREGUARD_STATE_DIR. Called after the processes are gone, for one name prefix ("mt-tn" of
 * the worlds, "mtsh-" of the driver topology).
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { WIREGUARD_STATE_DIR } from '../drivers/node/tunnel-spec';

export async function removeWireguardLeftovers(prefix: string): Promise<number> {
  let removed = 0;
  for (const dir of ['/var/run/wireguard', WIREGUARD_STATE_DIR]) {
    const files = await fs.readdir(dir).catch(() => [] as string[]);
    for (const f of files.filter((x) => x.startsWith(prefix))) {
      await fs.rm(path.join(dir, f), { force: true });
      removed++;
    }
  }
  return removed;
}
