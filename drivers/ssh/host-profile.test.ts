import { describeProfile, fetchMethod, installHint, isRemoteTimeout, parseProbe, serverSoftware } from './host-profile';

// What PROBE_SCRIPT printed on the emulated hosts (test/drivers runs it for real on both).
const OPENWRT = 'ip=text\nipimpl=busybox\ntimeout=busybox\nuserland=busybox\nchecksum=sha256sum\nmissing=traceroute\nmissing=scamper\n';
const DEBIAN = 'ip=json\nipimpl=iproute2\ntimeout=gnu\nuserland=gnu\nchecksum=sha256sum\n';

describe('host profile', () => {
  it('reads an OpenWrt-like router', () => {
    expect(parseProbe(OPENWRT, false, 'dropbear_2022.83')).toEqual({ server: 'dropbear_2022.83', ip: 'text', ipImpl: 'busybox', timeout: 'busybox', userland: 'busybox', sftp: false, checksum: 'sha256sum', missing: ['traceroute', 'scamper'] });
  });
  it('reads a Debian host', () => {
    expect(parseProbe(DEBIAN, true)).toMatchObject({ ip: 'json', ipImpl: 'iproute2', timeout: 'gnu', sftp: true, missing: [] });
  });
  it('ignores unknown missing tools and refuses output without the keys', () => {
    expect(parseProbe(DEBIAN + 'missing=rm -rf\n', true).missing).toEqual([]);
    expect(() => parseProbe('motd text\n', true)).toThrow(/no valid ip= line/);
  });
  it('BusyBox timeout: exit 143 or death by SIGTERM; GNU: 124', () => {
    expect(isRemoteTimeout({ timeout: 'busybox' }, 143, null)).toBe(true);
    expect(isRemoteTimeout({ timeout: 'busybox' }, null, 'TERM')).toBe(true);
    expect(isRemoteTimeout({ timeout: 'busybox' }, 1, null)).toBe(false);
    expect(isRemoteTimeout({ timeout: 'gnu' }, 124, null)).toBe(true);
    expect(isRemoteTimeout({ timeout: 'gnu' }, 143, null)).toBe(false);
    expect(isRemoteTimeout(null, null, 'TERM')).toBe(false);
  });
  it('keeps only a safe server name and describes a profile in one line', () => {
    expect(serverSoftware('OpenSSH_9.2p1 \u001b[31m')).toBe('OpenSSH_9.2p131m');
    expect(serverSoftware(undefined)).toBe('');
    expect(describeProfile(parseProbe(OPENWRT, false, 'dropbear_2022.83'))).toBe('dropbear_2022.83, BusyBox tools, ip text (BusyBox), timeout busybox, fetch exec cat + sha256');
  });
  it('names fetch methods and install hints', () => {
    expect(fetchMethod({ sftp: false, checksum: 'sha256sum' })).toBe('exec cat + sha256');
    expect(fetchMethod({ sftp: true, checksum: 'md5sum' })).toBe('sftp');
    expect(installHint('ip', 'BusyBox ip ignores vxlan options')).toBe('ip (BusyBox ip ignores vxlan options) — install it: apt install iproute2 (Debian) / opkg install ip-full (OpenWrt)');
  });
});
