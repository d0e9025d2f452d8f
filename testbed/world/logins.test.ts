import { loginUser } from './logins';

const hosts = { nodes: [{ id: 'pl-waw' }, { id: 'de-fra' }], testbeds: [{ A: 'tb1-ra', B: 'tb1-rb' }, { A: 'tb2-ra', B: 'tb2-rb' }] };

test('vantage nodes and router B of the first testbed log in as the sudo admin, the other routers as root', () => {
  expect(loginUser(hosts, 'pl-waw')).toBe('matador');
  expect(loginUser(hosts, 'de-fra')).toBe('matador');
  expect(loginUser(hosts, 'tb1-rb')).toBe('matador');
  expect(loginUser(hosts, 'tb1-ra')).toBe('root');
  expect(loginUser(hosts, 'tb2-ra')).toBe('root');
  expect(loginUser(hosts, 'tb2-rb')).toBe('root');
  expect(loginUser(hosts, 'gb')).toBeNull();
});
