/** docker-compose.temporal.yml: parsed (no Docker engine here) and checked for the services,
 *  ports and the search-attribute setup the workers rely on. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { projectRoot } from '../../lib/project-paths';
import { SEARCH_ATTRIBUTE_NAMES } from '../../temporal/conventions';

interface Service {
  image: string;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  command?: string[];
  entrypoint?: string[];
}

const compose = parse(fs.readFileSync(path.join(projectRoot, 'docker-compose.temporal.yml'), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };

/** "127.0.0.1:5432:5432" or "7233:7233" -> container port published on host port. */
function published(service: Service): Array<{ host: number; container: number }> {
  return (service.ports ?? []).map((p) => {
    const parts = p.split(':');
    return { host: Number(parts[parts.length - 2]), container: Number(parts[parts.length - 1]) };
  });
}

it('has PostgreSQL, the Temporal server, the Web UI and a one-shot setup service', () => {
  expect(Object.keys(compose.services).sort()).toEqual(['postgresql', 'temporal', 'temporal-setup', 'temporal-ui']);
  expect(compose.services.postgresql.image).toMatch(/^postgres:\d+/);
  expect(compose.services.temporal.image).toMatch(/^temporalio\/(auto-setup|server):/);
  expect(compose.services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
  expect(compose.services['temporal-setup'].image).toMatch(/^temporalio\/admin-tools:/);
  expect(compose.volumes).toHaveProperty('temporal-postgres');
});

it('publishes 7233 (gRPC), 8080 (UI) and 5432 (PostgreSQL)', () => {
  expect(published(compose.services.temporal)).toContainEqual({ host: 7233, container: 7233 });
  expect(published(compose.services['temporal-ui'])).toContainEqual({ host: 8080, container: 8080 });
  expect(published(compose.services.postgresql)).toContainEqual({ host: 5432, container: 5432 });
});

it('points the server at PostgreSQL and the UI at the server', () => {
  const env = compose.services.temporal.environment!;
  expect(env.DB).toBe('postgres12');
  expect(env.POSTGRES_SEEDS).toBe('postgresql');
  expect(env.POSTGRES_PWD).toBe(compose.services.postgresql.environment!.POSTGRES_PASSWORD);
  expect(compose.services['temporal-ui'].environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect(compose.services.temporal.depends_on).toMatchObject({ postgresql: { condition: 'service_healthy' } });
});

it('registers every Matador search attribute as Keyword after the server is healthy', () => {
  const setup = compose.services['temporal-setup'];
  expect(setup.depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });
  expect(setup.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  const script = (setup.command ?? []).join(' ');
  expect(script).toContain('temporal operator search-attribute create');
  expect(script).toContain('--type Keyword');
  const names = script.match(/for name in ([A-Za-z ]+); do/)![1].trim().split(/\s+/);
  expect(names.sort()).toEqual([...SEARCH_ATTRIBUTE_NAMES].sort());
  // Compose turns $$ into $; the result must be valid sh (syntax check only, nothing runs).
  expect(() => execFileSync('sh', ['-n', '-c', script.replace(/\$\$/g, '$')])).not.toThrow();
});
