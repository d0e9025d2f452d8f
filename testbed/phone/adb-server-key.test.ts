import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeAdbPublicKey, parseAdbPublicKey } from './adb-keys';
import { readAdbServerKey } from './adb-server-key';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-adbhome-'));
  fs.mkdirSync(path.join(home, '.android'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

test('adbkey.pub is used as adb wrote it; without it the public half of adbkey is derived', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  expect(readAdbServerKey(home)).toBeNull();
  fs.writeFileSync(path.join(home, '.android', 'adbkey'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const derived = readAdbServerKey(home);
  expect(derived && parseAdbPublicKey(derived)?.n).toBe(parseAdbPublicKey(encodeAdbPublicKey(publicKey, 'x'))!.n);
  fs.writeFileSync(path.join(home, '.android', 'adbkey.pub'), `${encodeAdbPublicKey(publicKey, 'lab@controller')}\n`);
  expect(readAdbServerKey(home)).toBe(encodeAdbPublicKey(publicKey, 'lab@controller'));
});

test('an adbkey.pub that is no adb key is an error naming the file', () => {
  fs.writeFileSync(path.join(home, '.android', 'adbkey.pub'), 'ssh-rsa AAAA user@host\n');
  expect(() => readAdbServerKey(home)).toThrow(`${path.join(home, '.android', 'adbkey.pub')} is not an adb public key`);
});
