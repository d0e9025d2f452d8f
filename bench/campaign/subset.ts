/** The subset campaigns of the campaign and profile benches: nodes x apps of the paper world on some emulated testbeds. */
import * as fs from 'fs';
import * as path from 'path';
import { configsDir } from '../../lib/project-paths';

/**
 * A subset campaign file: the given nodes and apps (default all four) on the given testbeds of
 * the emulated world "paper", from `testbedsFile` or else from a testbeds file written beside it
 * (any count: `matador testbed up paper --testbeds N` has tb1..tbN).
 */
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
      `  file: ${o.testbedsFile ?? writeTestbeds(path.join(o.dir, `${o.id}-testbeds.yaml`), o.testbeds)}`,
      `  select: [${o.testbeds.join(', ')}]`,
      `assignment: ${o.assignment}`,
      `timerScale: ${o.timerScale}`,
      'retry: { maxAttempts: 2, initialIntervalSec: 5, backoffCoefficient: 2, maxIntervalSec: 60 }',
      '',
    ].join('\n'),
  );
  return file;
}


function writeTestbeds(file: string, ids: string[]): string {
  const lines = ['schema: matador.testbeds/v1', 'testbeds:', ...ids.map((id) => `  - { id: ${id}, kind: emulated, world: paper }`), ''];
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}
