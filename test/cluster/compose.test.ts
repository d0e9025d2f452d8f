/**
 * docker-compose.temporal.yml is generated from ops/cluster/declaration.ts, the declaration
 * `matador cluster up` runs from. After a change there, UPDATE_COMPOSE=1 rewrites the file.
 * There is no Docker here: the file is checked as YAML, against the declaration, and its
 * scripts with `sh -n`. (Replaces test/temporal/compose.test.ts, written for the hand-made file.)
 */
import { execFileSync } from 'child_process';
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
  const doc = parse(fs.readFileSync(file, 'utf8')) as { services: Record<string, { image: string; command?: string[]; environment?: Record<string, string>; depends_on?: unknown; ports?: string[] }> };

  test('publishes 7233 (gRPC), 8080 (UI) and PostgreSQL on localhost only; points the server at PostgreSQL and the UI at the server', () => {
    expect(doc.services.temporal.ports).toEqual(['7233:7233']);
    expect(doc.services['temporal-ui'].ports).toEqual(['8080:8080']);
    expect(doc.services.postgresql.ports).toEqual(['127.0.0.1:5432:5432']);
    const env = doc.services.temporal.environment!;
    expect(env).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql', POSTGRES_USER: 'temporal' });
    expect(env.POSTGRES_PWD).toBe(doc.services.postgresql.environment!.POSTGRES_PASSWORD);
    expect(doc.services['temporal-schema'].environment!.SQL_PASSWORD).toBe(env.POSTGRES_PWD);
    expect(doc.services['temporal-ui'].environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(doc.services.temporal.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
  });

  test('its scripts are valid sh once compose turns $$ into $ (syntax check only, nothing runs)', () => {
    for (const service of ['temporal-schema', 'temporal-setup']) {
      const script = doc.services[service].command![0];
      expect(() => execFileSync('sh', ['-n', '-c', script.replace(/\$\$/g, '$')])).not.toThrow();
    }
  });

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
