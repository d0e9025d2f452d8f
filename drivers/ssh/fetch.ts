/**
 * Fetching a remote file, verified, for hosts with and without SFTP (drivers/ssh/session.ts
 * `getFile` picks the method from the connection's host profile):
 *
 *   sftp: SFTP get, then the remote size (`wc -c`) must equal the local one (cheap).
 *   exec: Dropbear on OpenWrt has no SFTP server: `cat FILE` streams over an exec channel, and
 *         the byte count and a checksum the host computes (`sha256sum`, else `md5sum`; BusyBox has
 *         both) must match what arrived.
 *
 * Either way the bytes go to a temporary file beside `localPath` that is renamed only when they
 * are verified: a broken fetch never leaves a half file in the store. A mismatch is fetched once
 * more, then fails as `capture_corrupt` naming the file, the expected and the received size and
 * checksum.
 */
import { createHash, randomBytes } from 'crypto';
import { createWriteStream, promises as fs } from 'fs';
import type { NodeSSH } from 'node-ssh';
import { shellCommand } from '../shell-quote';
import { DriverResult, fail } from './failures';
import type { HostProfile } from './host-profile';

/** Size and checksum of the remote file, one line: `<bytes> <hex>` (hex empty without a tool). */
export const REMOTE_SUM_SCRIPT = `
f=$1 tool=$2
[ -r "$f" ] || { echo "cannot read $f" >&2; exit 3; }
size=$(wc -c <"$f") || exit 4
sum=
if [ "$tool" != none ]; then sum=$("$tool" "$f") || exit 5; sum=\${sum%% *}; fi
echo "$(echo $size) $sum"
`;

export interface RemoteSum {
  bytes: number;
  /** Hex digest, or '' when the host has no checksum tool. */
  sum: string;
}

export function parseRemoteSum(stdout: string): RemoteSum | null {
  const m = /^(\d+) ?([0-9a-f]*)\s*$/.exec(stdout.trim());
  return m ? { bytes: Number(m[1]), sum: m[2] } : null;
}

/** Why what arrived is not the remote file, or null when it is. */
export function sumMismatch(remotePath: string, expected: RemoteSum, got: RemoteSum, algorithm: string): string | null {
  if (expected.bytes === got.bytes && (expected.sum === '' || expected.sum === got.sum)) return null;
  const sums = expected.sum === '' ? '' : `, ${algorithm} ${expected.sum} expected, ${got.sum} received`;
  return `${remotePath}: ${expected.bytes} bytes expected, ${got.bytes} received${sums}`;
}

export interface FetchContext {
  ssh: NodeSSH;
  label: string;
  profile: HostProfile;
  /** The session's run(), for the size/checksum command. */
  run(argv: readonly string[], options: { timeoutMs: number }): Promise<DriverResult<{ code: number | null; stdout: string; stderr: string }>>;
  /** Remote `timeout` prefix, empty when the host has none. */
  timeoutPrefix(seconds: number): string[];
}

function hashAlgorithm(p: HostProfile): 'sha256' | 'md5' | null {
  return p.checksum === 'sha256sum' ? 'sha256' : p.checksum === 'md5sum' ? 'md5' : null;
}

async function remoteSum(c: FetchContext, remotePath: string, withChecksum: boolean): Promise<DriverResult<{ expected: RemoteSum }>> {
  const tool = withChecksum ? c.profile.checksum : 'none';
  const r = await c.run(['sh', '-c', REMOTE_SUM_SCRIPT, 'sh', remotePath, tool], { timeoutMs: 120_000 });
  if (!r.ok) return r;
  const expected = r.code === 0 ? parseRemoteSum(r.stdout) : null;
  if (!expected) return fail('capture_fetch_failed', `${c.label}: size/checksum of ${remotePath}: exit ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
  return { ok: true, expected };
}

/** Stream `cat FILE` into `tmp`, hashing on the way. */
async function catInto(c: FetchContext, remotePath: string, tmp: string, timeoutMs: number): Promise<DriverResult<{ got: RemoteSum }>> {
  const algorithm = hashAlgorithm(c.profile);
  const hash = algorithm ? createHash(algorithm) : null;
  const out = createWriteStream(tmp, { mode: 0o600 });
  let bytes = 0;
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const command = shellCommand([...c.timeoutPrefix(seconds), 'cat', remotePath]);
  let timer: NodeJS.Timeout | undefined;
  let channel: { close(): void } | undefined;
  const timedOut = new Promise<DriverResult<{ got: RemoteSum }>>((resolve) => {
    timer = setTimeout(() => {
      channel?.close();
      resolve(fail('ssh_timeout', `${c.label}: cat ${remotePath}: not complete within ${timeoutMs} ms`));
    }, timeoutMs + 3000);
  });
  const ran = c.ssh
    .execCommand(command, {
      noTrim: true,
      onChannel: (ch) => {
        channel = ch;
      },
      onStdout: (chunk) => {
        bytes += chunk.length;
        hash?.update(chunk);
        out.write(chunk);
      },
    })
    .then<DriverResult<{ got: RemoteSum }>>((r) => {
      if (r.code !== 0) return fail('capture_fetch_failed', `${c.label}: cat ${remotePath} exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
      return { ok: true, got: { bytes, sum: hash ? hash.digest('hex') : '' } };
    })
    .catch((err: unknown) => fail('ssh_connection_lost', `${c.label}: cat ${remotePath}: ${err instanceof Error ? err.message : String(err)}`));
  try {
    return await Promise.race([ran, timedOut]);
  } finally {
    clearTimeout(timer);
    await new Promise<void>((resolve) => out.end(() => resolve()));
  }
}

async function sftpInto(c: FetchContext, remotePath: string, tmp: string): Promise<DriverResult<{ got: RemoteSum }>> {
  try {
    await c.ssh.getFile(tmp, remotePath);
  } catch (err) {
    return fail('capture_fetch_failed', `${c.label}: sftp get ${remotePath}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { ok: true, got: { bytes: (await fs.stat(tmp)).size, sum: '' } };
}

/**
 * Fetch `remotePath` to `localPath`, verified (see the module comment). Transport failures come
 * back as they are; the caller bounds the whole call with its own timeout.
 */
export async function fetchVerified(c: FetchContext, remotePath: string, localPath: string, timeoutMs: number): Promise<DriverResult<{ method: 'sftp' | 'exec'; bytes: number }>> {
  const method = c.profile.sftp ? 'sftp' : 'exec';
  const tmp = `${localPath}.part-${randomBytes(4).toString('hex')}`;
  let problem = '';
  try {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const sum = await remoteSum(c, remotePath, method === 'exec');
      if (!sum.ok) return sum;
      const got = method === 'sftp' ? await sftpInto(c, remotePath, tmp) : await catInto(c, remotePath, tmp, timeoutMs);
      if (!got.ok) return got;
      const mismatch = sumMismatch(remotePath, sum.expected, got.got, c.profile.checksum.replace(/sum$/, ''));
      if (mismatch === null) {
        await fs.rename(tmp, localPath);
        return { ok: true, method, bytes: got.got.bytes };
      }
      problem = mismatch;
      await fs.rm(tmp, { force: true });
    }
    return fail('capture_corrupt', `${c.label}: ${problem} (fetched twice over ${method === 'sftp' ? 'sftp' : 'exec cat'})`);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
