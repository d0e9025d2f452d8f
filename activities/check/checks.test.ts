/** The check lists and fixes without devices (the checks themselves run in
 *  test/testbed-check/world-check.test.ts against the emulated world). */
import * as path from 'path';
import { loadAppFile } from '../../lib/config';
import { projectRoot } from '../../lib/project-paths';
import { nodeChecks, routerChecks, sshFix } from './hosts';
import { expectedAppVersion, phoneChecks } from './phone';

const app = (id: string) => loadAppFile(path.join(projectRoot, 'test', 'fixtures', 'e2e', 'apps', `${id}.yaml`));

describe('phone checks', () => {
  it('run adb first (the gate), then the device, its clock and location provider, per app its version, the screen (a gate for the UI), then per app its openChat selectors', () => {
    const checks = phoneChecks([app('threema'), app('wechat')], { maxClockSkewMs: 1500 });
    expect(checks.map((c) => [c.name, c.gate ?? false])).toEqual([
      ['adb authorised', true],
      ['root (su -c id)', false],
      ['Android version', false],
      ['clock within 1500 ms', false],
      ['airplane mode, WLAN only', false],
      ['mock-location provider', false],
      ['app threema (ch.threema.app) installed', false],
      ['app wechat (com.tencent.mm) installed', false],
      ['screen on and unlocked', true],
      ['app threema openChat selectors', false],
      ['app wechat openChat selectors', false],
    ]);
  });

  it('takes the version an app must have from the campaign\'s pin (none: any version)', () => {
    expect(expectedAppVersion(app('threema'))).toBeNull();
    expect(expectedAppVersion({ ...app('threema'), pinnedVersion: '2.41' })).toBe('2.41');
  });
});

describe('host checks', () => {
  const target = { host: '203.0.113.5', port: 2222, username: 'root', privateKeyPath: '/keys/lab', knownHostsPath: '/keys/known_hosts' };

  it('say for each SSH failure what to do, naming the host and the files', () => {
    expect(sshFix('ssh_host_key_mismatch', target)).toBe('pin the host key of 203.0.113.5:2222 in /keys/known_hosts (ssh-keyscan -p 2222 203.0.113.5, after comparing its fingerprint with the host\'s own)');
    expect(sshFix('ssh_auth_failed', target)).toBe('add the public key of /keys/lab to ~root/.ssh/authorized_keys on 203.0.113.5');
    expect(sshFix('ssh_timeout', target)).toBe('make 203.0.113.5:2222 reachable from the testbed worker\'s host and sshd run there');
  });

  it('check the tools the drivers run: the router\'s list with the capture dir, the node\'s with the traceroute backend', () => {
    expect(routerChecks({ ssh: target, lanInterface: 'wlan0', captureDir: '/var/tmp/cap' }).map((c) => c.name)).toEqual([
      'host kind (SSH server, tools, ip, fetch)', 'tools (ip, tcpdump, sysctl, ping, timeout)', 'privileges', 'capture dir /var/tmp/cap writable',
    ]);
    expect(nodeChecks('traceroute').map((c) => c.name)).toEqual(['host kind (SSH server, tools, ip, fetch)', 'tools (ip, iptables, sysctl, timeout, traceroute)', 'privileges']);
    // a campaign with MDA application paths needs scamper on the nodes whatever the backend
    expect(nodeChecks('traceroute', { mda: true })[1].name).toBe('tools (ip, iptables, sysctl, timeout, traceroute, scamper)');
    expect(nodeChecks('scamper', { mda: true })[1].name).toBe('tools (ip, iptables, sysctl, timeout, scamper)');
  });

  it('a WireGuard testbed also checks wg and the kernel module or wireguard-go, on routers and nodes', () => {
    const row = 'WireGuard (wg; kernel module or wireguard-go)';
    expect(routerChecks({ ssh: target, lanInterface: 'wlan0', captureDir: '/var/tmp/cap' }, 'wireguard').map((c) => c.name)).toContain(row);
    expect(nodeChecks('scamper', { tunnelMode: 'wireguard' }).map((c) => c.name)).toContain(row);
    expect(nodeChecks('scamper', { tunnelMode: 'vxlan' }).map((c) => c.name)).not.toContain(row);
  });
});
