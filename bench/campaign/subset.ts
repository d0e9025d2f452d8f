/** The subset campaigns of the campaign and profile benches: nodes x apps of the paper world on some emulated testbeds. */
import * as fs from 'fs';
import * as path from 'path';
import { configsDir } from '../../lib/project-paths';

/** A subset campaign file: the given nodes and apps (default all four), the given testbeds of `testbedsFile` (default emulated-8.yaml). */
export function writeSubsetCampaign(o: { id: string; nodes: string[]; testbeds: string[]; timerScale: number; assignment: string; dir: string; apps?: string[]; testbedsFile?: string }): string {
  const file = path.join(o.dir, `${o.id}.yaml`);
  const apps = (o.apps ?? ['textsecure', 'threema', 'wechat', 'whatsapp']).map((a) => `  - ${path.join(configsDir, 'apps', `${a}.yaml`)}`);
  fs.writeFileSync(
    file,
    [
      'schema: matador.campaign/v1',
      `id: ${o.id}`,
      `description: 'bench: ${o.nodes.length} nodes x ${apps.length} apps on ${o.testbeds.length} testbed(s)'`,
      'nodes:',
      `  file: ${path.join(configsDir, 'nodes', 'planetlab-2015.yaml')}`,
      `  select: [${o.nodes.join(', ')}]`,
      'apps:',
      ...apps,
      'testbeds:',
      `  file: ${o.testbedsFile ?? path.join(configsDir, 'testbeds', 'emulated-8.yaml')}`,
      `  select: [${o.testbeds.join(', ')}]`,
      `assignment: ${o.assignment}`,
      `timerScale: ${o.timerScale}`,
      'retry: { maxAttempts: 2, initialIntervalSec: 5, backoffCoefficient: 2, maxIntervalSec: 60 }',
      '',
    ].join('\n'),
  );
  return file;
}

