/**
 * The public key of the local adb server, in Android's adb_keys format: what a lab's phone
 * stores in /data/misc/adb/adb_keys once someone accepted "Allow USB debugging?" with "Always
 * allow from this computer". The virtual phones get it before they start, so a healthy world
 * behaves like a lab whose phones trust its controller.
 *
 * The adb server creates ~/.android/adbkey (private, PEM) and adbkey.pub when it starts and
 * finds none; an older adbkey without its .pub is read and the public half derived from it.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import { createPrivateKey } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeAdbPublicKey, parseAdbPublicKey } from './adb-keys';

const execFileAsync = promisify(execFile);

/** Where the adb server keeps its key (adb_auth_init: $HOME/.android/adbkey). */
export function adbServerKeyPaths(home = os.homedir()): { privateKey: string; publicKey: string } {
  const dir = path.join(home, '.android');
  return { privateKey: path.join(dir, 'adbkey'), publicKey: path.join(dir, 'adbkey.pub') };
}

/** The key line from adbkey.pub, else derived from adbkey; null when neither exists. */
export function readAdbServerKey(home = os.homedir()): string | null {
  const { privateKey, publicKey } = adbServerKeyPaths(home);
  if (fs.existsSync(publicKey)) {
    const line = fs.readFileSync(publicKey, 'utf8').split('\n')[0].trim();
    if (parseAdbPublicKey(line)) return line;
    throw new Error(`${publicKey} is not an adb public key (base64 of Android's RSAPublicKey + " user@host")`);
  }
  if (fs.existsSync(privateKey)) return encodeAdbPublicKey(createPrivateKey(fs.readFileSync(privateKey)), `${os.userInfo().username}@${os.hostname()}`);
  return null;
}

/** The adb server's public key line; starts the server first when it has no key yet. */
export async function adbServerPublicKey(): Promise<string> {
  const first = readAdbServerKey();
  if (first) return first;
  await execFileAsync('adb', ['start-server'], { timeout: 30_000 });
  const second = readAdbServerKey();
  if (second) return second;
  const { privateKey } = adbServerKeyPaths();
  throw new Error(`the adb server has no key at ${privateKey}: restart it (\`adb kill-server; adb start-server\`) so that it creates one`);
}
