/**
 * docker-compose.temporal.yml is generated from ops/cluster/declaration.ts, the declaration
 * `matador cluster up` runs from. After a change there, UPDATE_COMPOSE=1 rewrites the file.
 * There is no Docker here: the file is checked as YAML and against the declaration.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { COMPOSE_FILE_NAME, composeFileText } from '../../ops/cluster/compose';
import { CLUSTER, schemaSteps } from '../../ops/cluster/declaration';
import { SEARCH_ATTRIBUTE_NAMES } from '../../temporal/conventions';

const file = path.join(__dirname, '..', '..', COMPOSE_FILE_NAME);

test('the committed compose file is the one generated from the declaration', () => {
  if (process.env.UPDATE_COMPOSE === '1') fs.writeFileSync(file, composeFileText());
  expect(fs.readFileSync(file, 'utf8')).toBe(composeFileText());
});

describe('the compose file', () => {
  const doc = parse(fs.readFileSync(file, 'utf8')) as { services: Record<string, { image: string; command?: string[]; environment?: Record<string, string>; depends_on?: unknown }> };

  test('pins every image tag to a version (no latest, no bare major)', () => {
    const images = Object.values(doc.services).map((s) => s.image);
    expect(images.length).toBe(5);
    for (const image of images) expect(image).toMatch(/^[a-z0-9/_-]+:\d+\.\d+(\.\d+)?[-a-z0-9.]*$/);
  });

  test('runs the server version cluster up runs, with the same schema steps', () => {
    expect(doc.services.temporal.image).toBe(`temporalio/server:${CLUSTER.serverVersion}`);
    const script = doc.services['temporal-schema'].command![0];
    for (const db of CLUSTER.databases) {
      for (const step of schemaSteps(db, '/etc/temporal/schema')) expect(script).toContain(`--db ${db.name} ${step.join(' ')}`);
    }
    expect(doc.services.temporal.environment!.VISIBILITY_DBNAME).toBe(CLUSTER.databases[1].name);
  });

  test('creates the namespace with the retention and every Matador search attribute', () => {
    const script = doc.services['temporal-setup'].command![0];
    expect(script).toContain(`namespace create --namespace ${CLUSTER.namespace} --retention ${CLUSTER.retention.text}`);
    for (const name of SEARCH_ATTRIBUTE_NAMES) expect(script).toContain(`--name ${name} --type Keyword`);
  });
});
