/**
 * The lab a worker hands to the measurement steps. A testbed of kind 'emulated' (in the
 * campaign's testbeds file) lives in an emulated world and is read from that world's state;
 * a testbed of kind 'real' is what the testbeds and nodes files say. The only module of
 * workers/ that imports the emulator (testbed/).
 */
import type { Lab } from '../activities/lab';
import { testbedsFileLab } from '../activities/labs/testbeds-file';
import type { TestbedConfig } from '../lib/config';
import { emulatedWorldLab } from '../testbed/lab';

export function workerLab(): Lab {
  const world = emulatedWorldLab();
  const file = testbedsFileLab();
  const labOf = (testbed: TestbedConfig): Lab => (testbed.kind === 'emulated' ? world : file);
  return {
    resolve: (at, pair) => labOf(at.testbed).resolve(at, pair),
    nodeAt: (at, address) => labOf(at.testbed).nodeAt(at, address),
  };
}
