import { parse } from 'yaml';
import { CLUSTER, clusterPorts, MAX_FRONTEND_PORT } from './declaration';
import { serverConfig, serverConfigYaml } from './server-config';
import { clusterTlsFiles } from './tls';

const base = { ip: '198.18.0.1', port: 27233, pgPort: 25432, pgPassword: 'abc123', tls: null };

test('every service binds to the listen ip on the ports derived from --port, and advertises that ip', () => {
  const c = serverConfig(base) as { services: Record<string, { rpc: { grpcPort: number; membershipPort: number; bindOnIP: string } }>; global: { membership: { broadcastAddress: string } } };
  const p = clusterPorts(27233);
  expect(c.services.frontend.rpc).toEqual({ grpcPort: p.frontend, membershipPort: p.frontendMembership, bindOnIP: '198.18.0.1' });
  expect(c.services.history.rpc.grpcPort).toBe(p.history);
  expect(c.services.matching.rpc.grpcPort).toBe(p.matching);
  expect(c.services.worker.rpc.membershipPort).toBe(p.workerMembership);
  expect(c.global.membership.broadcastAddress).toBe('198.18.0.1');
  expect(new Set(Object.values(p)).size).toBe(8);
});

test('persistence: both declared databases on the cluster PostgreSQL, as the temporal role', () => {
  const c = serverConfig(base) as { persistence: { defaultStore: string; visibilityStore: string; numHistoryShards: number; datastores: Record<string, { sql: Record<string, unknown> }> } };
  const main = c.persistence.datastores[c.persistence.defaultStore].sql;
  const vis = c.persistence.datastores[c.persistence.visibilityStore].sql;
  expect(main).toMatchObject({ pluginName: 'postgres12', databaseName: CLUSTER.databases[0].name, connectAddr: '127.0.0.1:25432', user: 'temporal', password: 'abc123' });
  expect(vis).toMatchObject({ pluginName: 'postgres12', databaseName: CLUSTER.databases[1].name });
  expect(c.persistence.numHistoryShards).toBe(CLUSTER.numHistoryShards);
});

test('without --tls there is no TLS section; with it, mutual TLS on frontend and internode, the system worker presents the client certificate', () => {
  expect((serverConfig(base).global as Record<string, unknown>).tls).toBeUndefined();
  const files = clusterTlsFiles('/d/tls');
  const tls = (serverConfig({ ...base, tls: files }).global as { tls: Record<string, Record<string, Record<string, unknown>>> }).tls;
  for (const group of ['frontend', 'internode']) {
    expect(tls[group].server).toEqual({ certFile: files.serverCert, keyFile: files.serverKey, clientCaFiles: [files.ca], requireClientAuth: true });
    expect(tls[group].client).toEqual({ serverName: 'localhost', rootCaFiles: [files.ca] });
  }
  expect(tls.systemWorker).toMatchObject({ certFile: files.clientCert, keyFile: files.clientKey });
});

test('the YAML file parses back to the same config', () => {
  expect(parse(serverConfigYaml(base))).toEqual(serverConfig(base));
});

test('the highest allowed --port keeps every membership port within SMALLINT', () => {
  expect(Math.max(...Object.values(clusterPorts(MAX_FRONTEND_PORT)))).toBe(32767);
});
