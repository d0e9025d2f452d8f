import * as path from 'path';

function findProjectRoot(): string {
  // Source: <root>/lib; compiled: <root>/dist/lib.
  const up = path.resolve(__dirname, '..');
  return path.basename(up) === 'dist' ? path.dirname(up) : up;
}

/** Locations inside a checkout. Overridable by environment for users who install elsewhere. */
export const projectRoot = findProjectRoot();
export const toolsBinDir = process.env.MATADOR_TOOLS_DIR ?? path.join(projectRoot, '.tools', 'bin');
export const temporalBinary = process.env.MATADOR_TEMPORAL_BIN ?? path.join(toolsBinDir, 'temporal');
/** Persistent state: Temporal database, results store, artefacts, world state. */
export const dataDir = process.env.MATADOR_DATA_DIR ?? path.join(projectRoot, '.matador');
export const configsDir = path.join(projectRoot, 'configs');
/** The project's shared folder (corpus, design notes): beside the checkout, as CI lays it out. */
export const sharedDir = process.env.MATADOR_SHARED_DIR ?? path.resolve(projectRoot, '..', 'shared');
