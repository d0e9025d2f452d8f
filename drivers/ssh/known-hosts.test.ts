import { createHmac } from 'crypto';
import { checkHostKey, knownHostsLine, knownHostsName, pinnedKeysFor } from './known-hosts';

const KEY_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIO8RAhwbwA+cckd37v37ovdkTAk8m0AjGPPO2Fwi/G3y';
const KEY_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIDojWxbzPjQc0Z/0fwvyHJ9mVez9H87EtRvaL1T6psWV';
const blob = (b64: string) => Buffer.from(b64, 'base64');

function hashed(name: string): string {
  const salt = Buffer.from('0123456789abcdefghij');
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts pinning', () => {
  it('names hosts like OpenSSH: bare for port 22, [host]:port otherwise', () => {
    expect(knownHostsName('198.19.220.6', 22)).toBe('198.19.220.6');
    expect(knownHostsName('2001:db8:e0::1', 2222)).toBe('[2001:db8:e0::1]:2222');
    expect(knownHostsLine('h', 2222, `ssh-ed25519 ${KEY_A} comment`)).toBe(`[h]:2222 ssh-ed25519 ${KEY_A}`);
  });

  it('finds plain, comma-listed and hashed entries, and only for the right port', () => {
    const text = [
      '# comment',
      `198.19.220.6 ssh-ed25519 ${KEY_A}`,
      `other,[198.19.220.10]:2222 ssh-ed25519 ${KEY_B} c`,
      `${hashed('[198.19.220.7]:2022')} ssh-ed25519 ${KEY_B}`,
      `@cert-authority 198.19.220.6 ssh-ed25519 ${KEY_B}`,
      'garbage',
    ].join('\n');
    expect(pinnedKeysFor(text, '198.19.220.6', 22).map((k) => k.key)).toEqual([blob(KEY_A)]);
    expect(pinnedKeysFor(text, '198.19.220.10', 2222).map((k) => k.key)).toEqual([blob(KEY_B)]);
    expect(pinnedKeysFor(text, '198.19.220.10', 22)).toEqual([]);
    expect(pinnedKeysFor(text, '198.19.220.7', 2022).map((k) => k.key)).toEqual([blob(KEY_B)]);
    expect(pinnedKeysFor(text, '198.19.220.7', 22)).toEqual([]);
  });

  it('verdicts: ok, unknown, changed, revoked', () => {
    const text = `h ssh-ed25519 ${KEY_A}\n@revoked r ssh-ed25519 ${KEY_B}\nr ssh-ed25519 ${KEY_B}`;
    expect(checkHostKey(pinnedKeysFor(text, 'h', 22), blob(KEY_A))).toEqual({ ok: true });
    expect(checkHostKey(pinnedKeysFor(text, 'h', 22), blob(KEY_B))).toEqual({ ok: false, reason: 'changed' });
    expect(checkHostKey(pinnedKeysFor(text, 'x', 22), blob(KEY_A))).toEqual({ ok: false, reason: 'unknown' });
    expect(checkHostKey(pinnedKeysFor(text, 'r', 22), blob(KEY_B))).toEqual({ ok: false, reason: 'revoked' });
  });
});
