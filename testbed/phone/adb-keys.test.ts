import { constants, generateKeyPairSync, privateEncrypt, randomBytes, type KeyObject } from 'crypto';
import { encodeAdbPublicKey, parseAdbKeys, parseAdbPublicKey, verifyTokenSignature } from './adb-keys';

const SHA1_DIGEST_INFO = Buffer.from('3021300906052b0e03021a05000414', 'hex');

/** What the adb server does with a token (adb_auth_sign: RSA_sign(NID_sha1, token)). */
function signLikeAdbServer(privateKey: KeyObject, token: Buffer): Buffer {
  return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA1_DIGEST_INFO, token]));
}

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });

test('a key encodes to the 524-byte RSAPublicKey struct and parses back', () => {
  const { publicKey } = pair();
  const line = encodeAdbPublicKey(publicKey, 'lab@controller');
  const [b64, comment] = line.split(' ');
  const raw = Buffer.from(b64, 'base64');
  expect(raw.length).toBe(524);
  expect(raw.readUInt32LE(0)).toBe(64);
  expect(raw.readUInt32LE(520)).toBe(65537);
  expect(comment).toBe('lab@controller');
  const jwk = publicKey.export({ format: 'jwk' });
  const key = parseAdbPublicKey(line);
  expect(key).not.toBeNull();
  expect(key!.n.toString(16)).toBe(Buffer.from(jwk.n!, 'base64url').toString('hex').replace(/^0+/, ''));
  expect(key!.e).toBe(65537n);
});

test('a signature made as the adb server makes it verifies with its key, and with no other', () => {
  const a = pair();
  const b = pair();
  const keyA = parseAdbPublicKey(encodeAdbPublicKey(a.publicKey, 'a@x'))!;
  const keyB = parseAdbPublicKey(encodeAdbPublicKey(b.publicKey, 'b@x'))!;
  const token = randomBytes(20);
  const sig = signLikeAdbServer(a.privateKey, token);
  expect(sig.length).toBe(256);
  expect(verifyTokenSignature(keyA, token, sig)).toBe(true);
  expect(verifyTokenSignature(keyB, token, sig)).toBe(false);
  expect(verifyTokenSignature(keyA, randomBytes(20), sig)).toBe(false);
  expect(verifyTokenSignature(keyA, token, sig.subarray(1))).toBe(false);
  const flipped = Buffer.from(sig);
  flipped[100] ^= 1;
  expect(verifyTokenSignature(keyA, token, flipped)).toBe(false);
});

test('adb_keys: blank, comment, corrupt and truncated lines are skipped, keys kept in order', () => {
  const a = encodeAdbPublicKey(pair().publicKey, 'a@x');
  const b = encodeAdbPublicKey(pair().publicKey, 'b@y');
  const raw = Buffer.from(a.split(' ')[0], 'base64');
  raw[10] ^= 0xff; // n changes: n0inv and rr no longer match
  const corrupt = `${raw.toString('base64')} c@z`;
  const text = [a, '', '# note', corrupt, a.slice(0, 100), 'not base64!', b, ''].join('\n');
  expect(parseAdbKeys(text).map((k) => k.comment)).toEqual(['a@x', 'b@y']);
});
