/**
 * The host probe behind `SshSession.hostProfile()` (drivers/ssh/session.ts caches its result on
 * the connection): PROBE_SCRIPT over one exec channel, then one try of the SFTP subsystem, plus
 * the server software from the SSH identification line. What the fields mean:
 * drivers/ssh/host-profile.ts.
 */
import type { NodeSSH } from 'node-ssh';
import { DriverResult, fail } from './failures';
import { HostProfile, parseProbe, PROBE_ARGS, PROBE_SCRIPT, serverSoftware } from './host-profile';

/** How long the SFTP subsystem may take to answer. */
const SFTP_PROBE_TIMEOUT_MS = 5_000;

export interface ProbeContext {
  ssh: NodeSSH;
  label: string;
  /** The session's run() without the remote `timeout` wrapper (it may not exist yet). */
  runBare(argv: readonly string[], timeoutMs: number): Promise<DriverResult<{ code: number | null; stdout: string }>>;
  /** A channel slot of the connection (shared connections limit their channels). */
  channelSlot(): Promise<() => void>;
}

/** One try of the SFTP subsystem: Dropbear without sftp-server closes the channel instead. */
async function sftpAnswers(c: ProbeContext): Promise<boolean> {
  const release = await c.channelSlot();
  let timer: NodeJS.Timeout | undefined;
  let gaveUp = false;
  const request = c.ssh.requestSFTP().then(
    (sftp) => {
      sftp.end(); // also when it answered after we gave up: no channel stays open
      return !gaveUp;
    },
    () => false,
  );
  try {
    return await Promise.race([
      request,
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          gaveUp = true;
          resolve(false);
        }, SFTP_PROBE_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    release();
  }
}

export async function probeHost(c: ProbeContext): Promise<DriverResult<{ profile: HostProfile }>> {
  const r = await c.runBare(['sh', '-c', PROBE_SCRIPT, 'sh', ...PROBE_ARGS], 15_000);
  if (!r.ok) return r;
  const sftp = await sftpAnswers(c);
  // ssh2 keeps the server's identification software on the client (no public accessor).
  const software = serverSoftware((c.ssh.connection as unknown as { _remoteVer?: unknown } | null)?._remoteVer);
  try {
    return { ok: true, profile: parseProbe(r.stdout, sftp, software) };
  } catch (err) {
    return fail('ssh_command_failed', `${c.label}: host probe (exit ${r.code}): ${(err as Error).message}`);
  }
}
