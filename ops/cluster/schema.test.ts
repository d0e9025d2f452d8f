import { CLUSTER, schemaSteps } from './declaration';
import { sqlToolConnectionArgs } from './schema';

test('the connection flags name plugin, host, port, role and database, never the password', () => {
  const args = sqlToolConnectionArgs('temporal', '127.0.0.1', 55432);
  expect(args).toEqual(['--plugin', 'postgres12', '--ep', '127.0.0.1', '--port', '55432', '--user', 'temporal', '--db', 'temporal']);
  expect(args.join(' ')).not.toMatch(/--pw|--password/);
});

test('each database: create (kept if it exists), version tables, then the versioned migrations', () => {
  expect(schemaSteps(CLUSTER.databases[1], '/s')).toEqual([['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '-d', '/s/postgresql/v12/visibility/versioned']]);
});
