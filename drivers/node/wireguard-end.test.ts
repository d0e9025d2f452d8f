import { installHint } from '../ssh/host-profile';
import { describeImplementation, DOWN_SCRIPT, parsePrepareOutput, PREPARE_SCRIPT } from './wireguard-end';

const PUB = 'F7/YUytdfgj68fZDXjjYfZoSGXQu3ugii+B8qqntrB0=';

describe('WireGuard end scripts', () => {
  it('parse what the prepare script prints (public values only)', () => {
    expect(parsePrepareOutput(`impl wireguard-go\nversion wireguard-go v0.0.20250522\npublic-key ${PUB}\n`)).toEqual({ publicKey: PUB, implementation: { kind: 'wireguard-go', version: 'v0.0.20250522' } });
    expect(parsePrepareOutput(`impl kernel\npublic-key ${PUB}\n`)).toEqual({ publicKey: PUB, implementation: { kind: 'kernel' } });
    expect(parsePrepareOutput('impl kernel\npublic-key (none)\n')).toBeNull();
    expect(parsePrepareOutput(`impl tun\npublic-key ${PUB}\n`)).toBeNull();
    expect(describeImplementation({ kind: 'wireguard-go', version: 'v0.0.20250522' })).toBe('wireguard-go v0.0.20250522');
  });

  it('keeps WG_PROCESS_FOREGROUND away from wireguard-go, and private keys out of argv', () => {
    expect(PREPARE_SCRIPT).toContain('(unset WG_PROCESS_FOREGROUND; exec wireguard-go -f "$n")');
    expect(PREPARE_SCRIPT).toContain('wg set "$n" private-key "$key"');
    expect(PREPARE_SCRIPT).toContain('(umask 077; wg genkey >"$key")');
    expect(PREPARE_SCRIPT).not.toMatch(/wg show "\$n" (dump|private-key)/);
  });

  it('stops only a process whose command line is exactly ours', () => {
    expect(DOWN_SCRIPT).toContain('= "wireguard-go -f $n " ]');
  });

  it('names the package to install per host kind (the one tool-to-package map of drivers/ssh/host-profile.ts)', () => {
    expect(installHint('wg')).toMatch(/apt install wireguard-tools \(Debian\) \/ opkg install wireguard-tools \(OpenWrt\)/);
    expect(installHint('wireguard-go')).toMatch(/opkg install kmod-wireguard.*go install golang.zx2c4.com\/wireguard/);
  });
});
