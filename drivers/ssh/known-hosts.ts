/**
 * Pinned host keys in OpenSSH known_hosts format. The drivers refuse any host whose key is not
 * listed for it (unknown) or differs from the listed key (changed): both are
 * `ssh_host_key_mismatch`. Supported: plain and hashed (|1|salt|hmac) host patterns, `[host]:port`
 * for non-22 ports, comma lists, comments; `@revoked` entries reject the key; `@cert-authority`
 * lines and wildcard patterns are ignored (pinning means exact keys for exact hosts).
 */
import { createHmac, timingSafeEqual } from 'crypto';

export interface PinnedKey {
  keyType: string; // e.g. ssh-ed25519
  key: Buffer; // the SSH wire-format public key blob (base64-decoded)
  revoked: boolean;
}

/** The host pattern as known_hosts writes it: bare host for port 22, else "[host]:port". */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** One known_hosts line for a host and its public key line ("type base64 [comment]"). */
export function knownHostsLine(host: string, port: number, publicKeyLine: string): string {
  const [keyType, base64] = publicKeyLine.trim().split(/\s+/);
  if (!keyType || !base64) throw new Error(`knownHostsLine: not a public key line: ${JSON.stringify(publicKeyLine)}`);
  return `${knownHostsName(host, port)} ${keyType} ${base64}`;
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    const expected = Buffer.from(hash, 'base64');
    return expected.length === mac.length && timingSafeEqual(expected, mac);
  }
  return pattern === name;
}

/** All keys listed for host:port in the known_hosts text. */
export function pinnedKeysFor(knownHostsText: string, host: string, port: number): PinnedKey[] {
  const name = knownHostsName(host, port);
  const keys: PinnedKey[] = [];
  for (const raw of knownHostsText.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0].startsWith('@')) {
      if (fields[0] !== '@revoked') continue; // @cert-authority: not a pin
      revoked = true;
      fields.shift();
    }
    const [patterns, keyType, base64] = fields;
    if (!patterns || !keyType || !base64) continue;
    if (!patterns.split(',').some((p) => patternMatches(p, name))) continue;
    keys.push({ keyType, key: Buffer.from(base64, 'base64'), revoked });
  }
  return keys;
}

export type HostKeyVerdict = { ok: true } | { ok: false; reason: 'unknown' | 'changed' | 'revoked' };

/** Decide whether the key a server presented is the pinned one. */
export function checkHostKey(pinned: PinnedKey[], presented: Buffer): HostKeyVerdict {
  if (pinned.some((p) => p.revoked && p.key.equals(presented))) return { ok: false, reason: 'revoked' };
  const usable = pinned.filter((p) => !p.revoked);
  if (usable.length === 0) return { ok: false, reason: 'unknown' };
  return usable.some((p) => p.key.equals(presented)) ? { ok: true } : { ok: false, reason: 'changed' };
}
