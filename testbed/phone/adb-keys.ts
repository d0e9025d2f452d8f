/**
 * Android's adb public keys and the check adbd makes in the AUTH handshake. Pure code.
 *
 * Key format (AOSP libmincrypt `RSAPublicKey`, what `~/.android/adbkey.pub` and a device's
 * /data/misc/adb/adb_keys hold, one key a line): base64 of a 524-byte struct of little-endian
 * 32-bit words — len (= 64, the modulus size in words), n0inv (= -1 / n[0] mod 2^32), n[64]
 * (the modulus, least significant word first), rr[64] (R^2 mod n, R = 2^2048), exponent —
 * then a space and `user@host`.
 *
 * Verification (adb_auth_verify -> RSA_verify): the adb server signs the 20-byte token as if it
 * were a SHA-1 digest (RSA_sign(NID_sha1, token)): PKCS#1 v1.5 type 1 padding around the SHA-1
 * DigestInfo and the token. adbd accepts the signature when it is exactly 256 bytes and one key
 * of adb_keys verifies it.
 */
import { KeyObject, createPublicKey } from 'crypto';

export const ADB_KEYS_PATH = '/data/misc/adb/adb_keys';
/** ADB_AUTH_* values of the AUTH message's arg0 (AOSP adb.h). */
export const ADB_AUTH_TOKEN = 1;
export const ADB_AUTH_SIGNATURE = 2;
export const ADB_AUTH_RSAPUBLICKEY = 3;
export const TOKEN_SIZE = 20;

const WORDS = 64;
const MODULUS_BYTES = WORDS * 4;
const STRUCT_BYTES = 4 + 4 + MODULUS_BYTES * 2 + 4;
/** DER prefix of a SHA-1 DigestInfo (RFC 8017 9.2 note 1). */
const SHA1_DIGEST_INFO = Buffer.from('3021300906052b0e03021a05000414', 'hex');

export interface AdbPublicKey {
  n: bigint;
  e: bigint;
  /** `user@host` after the base64 (may be empty). */
  comment: string;
}

function readWords(buf: Buffer, offset: number): bigint {
  let v = 0n;
  for (let i = WORDS - 1; i >= 0; i--) v = (v << 32n) | BigInt(buf.readUInt32LE(offset + i * 4));
  return v;
}

function writeWords(buf: Buffer, offset: number, value: bigint): void {
  for (let i = 0; i < WORDS; i++) buf.writeUInt32LE(Number((value >> BigInt(32 * i)) & 0xffffffffn), offset + i * 4);
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

function bigFromBytes(buf: Buffer): bigint {
  return buf.length ? BigInt(`0x${buf.toString('hex')}`) : 0n;
}

/**
 * One line of adb_keys / adbkey.pub -> the key, or null when the line is not a 2048-bit key in
 * Android's format (adbd skips such lines: read_keys() logs "Invalid base64 data" and goes on).
 * n0inv and rr are checked against n, so a corrupt line is not mistaken for a key.
 */
export function parseAdbPublicKey(line: string): AdbPublicKey | null {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const space = trimmed.search(/\s/);
  const b64 = space < 0 ? trimmed : trimmed.slice(0, space);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== STRUCT_BYTES || raw.readUInt32LE(0) !== WORDS) return null;
  const n = readWords(raw, 8);
  const n0inv = BigInt(raw.readUInt32LE(4));
  const rr = readWords(raw, 8 + MODULUS_BYTES);
  const e = BigInt(raw.readUInt32LE(8 + MODULUS_BYTES * 2));
  if (n === 0n || ((n & 0xffffffffn) * n0inv + 1n) % (1n << 32n) !== 0n) return null;
  if (rr !== modPow(1n << 2048n, 2n, n)) return null;
  return { n, e, comment: space < 0 ? '' : trimmed.slice(space + 1).trim() };
}

/** Every key of an adb_keys file's text (lines that are no key are skipped, as adbd does). */
export function parseAdbKeys(text: string): AdbPublicKey[] {
  return text.split('\n').map(parseAdbPublicKey).filter((k): k is AdbPublicKey => k !== null);
}

/** A 2048-bit RSA public key (or the private key it belongs to) -> one adbkey.pub line. */
export function encodeAdbPublicKey(key: KeyObject, comment: string): string {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new Error('encodeAdbPublicKey: not an RSA key');
  const n = bigFromBytes(Buffer.from(jwk.n, 'base64url'));
  const e = bigFromBytes(Buffer.from(jwk.e, 'base64url'));
  if (n >> 2047n !== 1n) throw new Error('encodeAdbPublicKey: adb keys are 2048-bit RSA keys');
  const out = Buffer.alloc(STRUCT_BYTES);
  out.writeUInt32LE(WORDS, 0);
  const n0 = n & 0xffffffffn;
  // n0inv = -1/n0 mod 2^32 (Newton's iteration doubles the correct low bits each round).
  let inv = 1n;
  for (let i = 0; i < 5; i++) inv = (inv * (2n - n0 * inv)) & 0xffffffffn;
  out.writeUInt32LE(Number((1n << 32n) - inv), 4);
  writeWords(out, 8, n);
  writeWords(out, 8 + MODULUS_BYTES, modPow(1n << 2048n, 2n, n));
  out.writeUInt32LE(Number(e), 8 + MODULUS_BYTES * 2);
  return `${out.toString('base64')} ${comment}`;
}

/** adbd's check of an AUTH SIGNATURE over its token with one key (RSA_verify of mincrypt). */
export function verifyTokenSignature(key: AdbPublicKey, token: Buffer, signature: Buffer): boolean {
  if (signature.length !== MODULUS_BYTES) return false;
  const s = bigFromBytes(signature);
  if (s >= key.n) return false;
  const em = Buffer.from(modPow(s, key.e, key.n).toString(16).padStart(MODULUS_BYTES * 2, '0'), 'hex');
  const expected = Buffer.concat([
    Buffer.from([0x00, 0x01]),
    Buffer.alloc(MODULUS_BYTES - 3 - SHA1_DIGEST_INFO.length - token.length, 0xff),
    Buffer.from([0x00]),
    SHA1_DIGEST_INFO,
    token,
  ]);
  return em.equals(expected);
}
