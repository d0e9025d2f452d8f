/**
 * The shipping steps (lib/artefacts/shipping.ts) over two data folders: the testbed steps read the
 * testbed worker's folder, the central steps write the central worker's. A worker that plays
 * both roles on one host passes the same folder twice. A worker without a folder for a side
 * refuses that side's steps (config_invalid): a central worker never reads a testbed path.
 */
import type { ShippingActivities } from '../../lib/measurement/steps';
import { stepFailure } from '../steps/failures';
import { commitArtefact, discardArtefactParts, prepareArtefacts, writeArtefactChunk } from './central-side';
import { artefactManifest, readArtefactChunk } from './testbed-side';

export interface ShippingFolders {
  /** The data folder the testbed steps wrote the artefacts into (the testbed worker's). */
  testbedDir?: string;
  /** The central artefact folder (the central worker's data folder). */
  centralDir?: string;
}

function folder(dir: string | undefined, role: string): string {
  if (!dir) throw stepFailure('config_invalid', `this worker has no ${role} data folder for artefact shipping`);
  return dir;
}

export function shippingActivities(f: ShippingFolders): ShippingActivities {
  return {
    artefactManifest: async ({ artefacts }) => artefactManifest(folder(f.testbedDir, 'testbed'), artefacts),
    readArtefactChunk: async (req) => readArtefactChunk(folder(f.testbedDir, 'testbed'), req),
    prepareArtefacts: async ({ manifest }) => prepareArtefacts(folder(f.centralDir, 'central'), manifest),
    writeArtefactChunk: async (req) => writeArtefactChunk(folder(f.centralDir, 'central'), req),
    commitArtefact: async (req) => commitArtefact(folder(f.centralDir, 'central'), req),
    discardArtefactParts: async ({ parts }) => discardArtefactParts(folder(f.centralDir, 'central'), parts),
  };
}
