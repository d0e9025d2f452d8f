/** Where a campaign config is, as the workers should see it (shared by campaign start, schedule,
 *  demo and testbed check). */
import * as path from 'path';
import { projectRoot } from '../../lib/project-paths';

/** The config path as the central worker should see it: relative to the project root when
 *  inside it (workers on other hosts have their own checkout), else absolute. */
export function configPathForWorker(file: string): string {
  const absolute = path.resolve(file);
  const relative = path.relative(projectRoot, absolute);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
}
