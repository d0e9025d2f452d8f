/**
 * Packet capture on the router's WLAN side with the real tcpdump:
 *   captureStart: tcpdump -i LAN --immediate-mode -U -n -s SNAPLEN -w FILE [filter] in the background; pid in a
 *                 pid file; returns once tcpdump reports "listening on" (so nothing is missed).
 *                 One SSH exec: the capture folder is created by the same script.
 *   captureStop:  SIGINT, wait until the process is gone and its final statistics are written
 *                 (the file is complete), report tcpdump's counters. A tcpdump that is no longer
 *                 running (killed, crashed) is `capture_failed` — the capture has a hole.
 *   captureFetch: SFTP (size verified), or `cat` over an exec channel with size + checksum verified
 *                 where the router has no SFTP server (Dropbear on OpenWrt; drivers/ssh/fetch.ts),
 *                 to a local artefact path, then verify the file is a readable pcap/pcapng
 *                 with lib/capture's reader; optionally delete the remote files.
 *   captureDiscard: stop (if still running) and delete the remote files, keeping nothing.
 * The handle is plain data (JSON), so it can pass between Temporal activities.
 *
 * tcpdump, its signals, the sweep and the removals run as root (drivers/ssh/privilege.ts: `sudo
 * -n` for a non-root login). The fetch is SFTP, which runs as the login: so the capture folder
 * and the finished pcap and log are chowned to a non-root login (uid:gid asked once per
 * connection), rather than read back through `sudo cat`, which would need a second, exec-channel
 * transfer path. A root login changes no owner.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { CaptureFormatError, CaptureReader } from '../../lib/capture/capture-reader';
import type { RouterCapture } from '../../lib/measurement/payloads';
import { DriverConfigError, DriverResult, fail } from '../ssh/failures';
import { toolMissing } from '../ssh/host-profile';
import { loginOwner, runPrivileged, runPrivilegedScript } from '../ssh/privilege';
import { SshSession, withSsh } from '../ssh/session';
import { tail } from '../ssh/steps';
import * as v from '../ssh/validate';
import { RouterConfig, validateRouterConfig } from './config';

/** A running tcpdump (its shape is a step payload: the capture steps hand it on). */
export type { RouterCapture } from '../../lib/measurement/payloads';

export interface CaptureStartOptions {
  /** Names the files: <captureDir>/<id>.pcap, .pid, .log. */
  id: string;
  /** BPF filter expression (passed to tcpdump as one quoted argument). */
  filter?: string;
  /** Default 262144 (whole packets). */
  snapLength?: number;
}

// Every SSH exec costs a process start on the router (a shell, its rc files): the capture folder
// is made here rather than by a separate exec. Readiness and exit are polled every 20 ms (the
// bounds stay 10 s and 15 s): a coarser poll only adds its granularity to every capture's start
// and stop. Exit codes: 3 tcpdump died before listening, 4 not ready in 10 s, 6 capture folder
// (not 2: that is also what sh says for a script it cannot parse). A tcpdump that did not start
// leaves no files behind: its log goes back in stderr. The folder goes to a non-root login
// ($7; '' for root, who changes no owner: the emulated routers share one folder).
const START_SCRIPT = `
iface=$1 file=$2 pidfile=$3 log=$4 snaplen=$5 dir=$6 owner=$7; shift 7
mkdir -p -m 0700 "$dir" && { [ -z "$owner" ] || chown "$owner" "$dir"; } || exit 6
rm -f "$file" "$pidfile" "$log"
tcpdump -i "$iface" --immediate-mode -U -n -s "$snaplen" -w "$file" "$@" </dev/null >"$log" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"
i=0
while [ $i -lt 500 ]; do
  if grep -q 'listening on' "$log"; then echo "$pid"; exit 0; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$log" >&2; rm -f "$file" "$pidfile" "$log"; exit 3; fi
  sleep 0.02; i=$((i+1))
done
kill "$pid"; cat "$log" >&2; rm -f "$file" "$pidfile" "$log"; exit 4
`;

// Exit codes: 3 not running (killed/crashed), 4 did not stop, 5 did not finalise. tcpdump says
// "1 packet captured" for one packet: an idle baseline capture may well have only one. The
// complete file and log go to the login ($4), who fetches them over SFTP.
const STOP_SCRIPT = `
pid=$1 file=$2 log=$3 owner=$4
running() {
  [ -r "/proc/$pid/cmdline" ] || return 1
  grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && return 1
  tr '\\0' '\\n' <"/proc/$pid/cmdline" | grep -qxF -- "$file"
}
if ! running; then echo "tcpdump (pid $pid) for $file is not running:" >&2; cat "$log" >&2; exit 3; fi
kill -INT "$pid"
i=0
while running; do
  if [ $i -ge 750 ]; then kill -KILL "$pid"; echo "tcpdump (pid $pid) did not stop on SIGINT" >&2; exit 4; fi
  sleep 0.02; i=$((i+1))
done
if ! grep -Eq '^[0-9]+ packets? captured' "$log"; then echo "tcpdump (pid $pid) ended without final statistics:" >&2; cat "$log" >&2; exit 5; fi
[ -z "$owner" ] || chown "$owner" "$file" "$log" || exit 5
cat "$log"
`;

function paths(router: RouterConfig, id: string): { lanInterface: string; remoteFile: string; pidFile: string; logFile: string } {
  const { lanInterface, captureDir } = validateRouterConfig(router);
  const base = path.posix.join(captureDir, v.identifier(id, 'capture.id'));
  return { lanInterface, remoteFile: `${base}.pcap`, pidFile: `${base}.pid`, logFile: `${base}.log` };
}

function configFailure(err: unknown): { ok: false; failure: 'config_invalid'; detail: string } {
  if (err instanceof DriverConfigError) return fail('config_invalid', err.message);
  throw err;
}

export async function captureStart(router: RouterConfig, options: CaptureStartOptions): Promise<DriverResult<{ handle: RouterCapture }>> {
  let p: ReturnType<typeof paths>;
  let snap: number;
  try {
    p = paths(router, options.id);
    snap = v.integerInRange(options.snapLength ?? 262144, 'capture.snapLength', 64, 262144);
    if (options.filter !== undefined && (options.filter.trim().startsWith('-') || /[\0\n]/.test(options.filter))) {
      throw new DriverConfigError(`capture.filter: must not start with '-' or contain newlines: ${JSON.stringify(options.filter)}`);
    }
  } catch (err) {
    return configFailure(err);
  }
  return withSsh(router.ssh, async (s) => {
    const prof = await s.hostProfile();
    if (!prof.ok) return prof;
    if (prof.profile.missing.includes('tcpdump')) return toolMissing(s.label, 'tcpdump');
    const filter = options.filter && options.filter.trim() !== '' ? [options.filter] : [];
    const dir = path.posix.dirname(p.remoteFile);
    const owner = await loginOwner(s);
    if (!owner.ok) return owner;
    const r = await runPrivilegedScript(s, START_SCRIPT, [p.lanInterface, p.remoteFile, p.pidFile, p.logFile, String(snap), dir, owner.owner, ...filter], { timeoutMs: 20_000 });
    if (!r.ok) return r.failure === 'ssh_timeout' ? fail('capture_failed', r.detail) : r;
    if (r.code === 6) return fail('capture_failed', `${s.label}: cannot create the capture folder ${dir}: ${tail(r.stderr)}`);
    const pid = Number(r.stdout.trim());
    if (r.code !== 0 || !Number.isInteger(pid) || pid <= 1) {
      return fail('capture_failed', `${s.label}: tcpdump on ${p.lanInterface} did not start (exit ${r.code}): ${tail(r.stderr)}`);
    }
    return { ok: true, handle: { id: options.id, interface: p.lanInterface, remoteFile: p.remoteFile, pidFile: p.pidFile, logFile: p.logFile, pid, startedAt: new Date().toISOString() } };
  });
}

export interface CaptureStopResult {
  packetsCaptured: number | null;
  packetsDroppedByKernel: number | null;
  tcpdumpLog: string;
}

/** The stop script's own line (what went wrong) and the end of tcpdump's log after it. */
function headlineAndTail(stderr: string): string {
  const [headline, ...log] = stderr.trim().split('\n');
  return [headline, ...(log.length > 0 ? [tail(log.join('\n'), 4)] : [])].join(' | ');
}

function counter(log: string, what: string): number | null {
  const m = new RegExp(`^(\\d+) packets? ${what}`, 'm').exec(log);
  return m ? Number(m[1]) : null;
}

export async function captureStop(router: RouterConfig, handle: RouterCapture): Promise<DriverResult<CaptureStopResult>> {
  let p: ReturnType<typeof paths>;
  try {
    p = paths(router, handle.id);
    v.integerInRange(handle.pid, 'capture.pid', 2, 2 ** 22);
  } catch (err) {
    return configFailure(err);
  }
  return withSsh(router.ssh, async (s) => {
    const owner = await loginOwner(s);
    if (!owner.ok) return owner;
    const r = await runPrivilegedScript(s, STOP_SCRIPT, [String(handle.pid), p.remoteFile, p.logFile, owner.owner], { timeoutMs: 30_000 });
    if (!r.ok) return r.failure === 'ssh_timeout' ? fail('capture_failed', r.detail) : r;
    if (r.code !== 0) return fail('capture_failed', `${s.label}: capture ${handle.id}: ${headlineAndTail(r.stderr)}`);
    return {
      ok: true,
      packetsCaptured: counter(r.stdout, 'captured'),
      packetsDroppedByKernel: counter(r.stdout, 'dropped by kernel'),
      tcpdumpLog: r.stdout.trim(),
    };
  });
}

/**
 * Abandon a capture: stop its tcpdump if it still runs (one that is gone already is fine here)
 * and remove its files from the router. For captures whose data is not wanted (an aborted or
 * failed measurement step, a failed baseline try); fails only when the files cannot be removed.
 */
export async function captureDiscard(router: RouterConfig, handle: RouterCapture): Promise<DriverResult<object>> {
  await captureStop(router, handle);
  return captureRemove(router, handle);
}

/**
 * Remove a capture's files from the router (its pcap, pid and log file). The names are derived
 * from the router's capture folder and the capture id, never taken from the handle: a handle read
 * back from disk cannot make this remove anything else. Removing files that are gone is fine.
 */
export async function captureRemove(router: RouterConfig, handle: Pick<RouterCapture, 'id'>): Promise<DriverResult<object>> {
  let p: ReturnType<typeof paths>;
  try {
    p = paths(router, handle.id);
  } catch (err) {
    return configFailure(err);
  }
  return withSsh(router.ssh, (s) => removeFiles(s, p));
}

/** rm as root: the pid file (and a capture that did not finish) are root's. */
async function removeFiles(s: SshSession, p: { remoteFile: string; pidFile: string; logFile: string }): Promise<DriverResult<object>> {
  const rm = await runPrivileged(s, ['rm', '-f', p.remoteFile, p.pidFile, p.logFile], { timeoutMs: 10_000 });
  if (!rm.ok) return rm;
  if (rm.code !== 0) return fail('capture_failed', `${s.label}: rm -f ${p.remoteFile} ${p.pidFile} ${p.logFile} exited ${rm.code}: ${tail(rm.stderr)}`);
  return { ok: true };
}

// Every `<dir>/*.pid` (whose name starts with one of the prefixes given, if any): its process is stopped (SIGINT, then SIGKILL) only when its command line is
// a tcpdump writing `<dir>/<id>.pcap` (a recycled pid is someone else's: left alone), then the
// capture's .pid, .pcap and .log are removed. Prints one line per capture; exit 7 when a tcpdump
// would not die.
const SWEEP_SCRIPT = `
dir=$1; shift
[ -d "$dir" ] || exit 0
rc=0
for pidfile in "$dir"/*.pid; do
  [ -e "$pidfile" ] || continue
  base=\${pidfile%.pid}
  if [ $# -gt 0 ]; then
    name=\${base##*/} match=
    for p in "$@"; do case "$name" in "$p"*) match=1 ;; esac; done
    [ -n "$match" ] || continue
  fi
  pid=$(head -c 16 "$pidfile" | tr -cd '0-9')
  ours() {
    [ -n "$pid" ] && [ "$pid" -gt 1 ] && [ -r "/proc/$pid/cmdline" ] || return 1
    grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && return 1
    [ "$(tr '\\0' '\\n' <"/proc/$pid/cmdline" | head -n 1 | sed 's|.*/||')" = tcpdump ] || return 1
    tr '\\0' '\\n' <"/proc/$pid/cmdline" | grep -qxF -- "$base.pcap"
  }
  if ours; then
    kill -INT "$pid" 2>/dev/null
    i=0
    while ours && [ $i -lt 100 ]; do sleep 0.02; i=$((i+1)); done
    if ours; then kill -KILL "$pid" 2>/dev/null; sleep 0.1; fi
    if ours; then echo "tcpdump (pid $pid) for $base.pcap would not die" >&2; rc=7; continue; fi
    echo "stopped $pid $base"
  else
    echo "removed $base"
  fi
  rm -f "$base.pcap" "$base.pid" "$base.log"
done
exit $rc
`;

/**
 * Stop every capture the router's capture folder holds a pid file for, handle or not (a worker
 * that died mid-capture, e.g. during a baseline, left one running), and remove its files. Only a
 * process whose command line is a tcpdump writing that capture's file is signalled. Returns what
 * it stopped or removed, one line each. `prefixes` (capture ids start with them) limits the sweep to
 * one's own captures on a router that other measurements may be capturing on.
 */
export async function captureSweep(router: RouterConfig, options: { prefixes?: string[] } = {}): Promise<DriverResult<{ swept: string[] }>> {
  let captureDir: string;
  let prefixes: string[];
  try {
    captureDir = validateRouterConfig(router).captureDir;
    prefixes = (options.prefixes ?? []).map((p) => v.identifier(p, 'capture.prefix'));
  } catch (err) {
    return configFailure(err);
  }
  return withSsh(router.ssh, async (s) => {
    const r = await runPrivilegedScript(s, SWEEP_SCRIPT, [captureDir, ...prefixes], { timeoutMs: 30_000 });
    if (!r.ok) return r.failure === 'ssh_timeout' ? fail('capture_failed', r.detail) : r;
    if (r.code !== 0) return fail('capture_failed', `${s.label}: sweeping ${captureDir}: ${tail(r.stderr)}`);
    return { ok: true, swept: r.stdout.split('\n').filter((l) => l.trim() !== '') };
  });
}

export interface CaptureFileCheck {
  format: 'pcap' | 'pcapng';
  packets: number;
  bytes: number;
}

/** Read a local capture file completely; throws CaptureFormatError if it is not a whole capture. */
export async function checkCaptureFile(localPath: string): Promise<CaptureFileCheck> {
  const reader = new CaptureReader(() => undefined);
  const stream = (await fs.open(localPath, 'r')).createReadStream();
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length;
      reader.push(chunk as Buffer);
    }
    reader.end();
  } finally {
    stream.destroy(); // also closes the file when the reader threw mid-file
  }
  if (reader.format === null) throw new CaptureFormatError(`${localPath}: empty file, not a capture`);
  if (reader.cutShort) throw new CaptureFormatError(`${localPath}: ${reader.cutShort}`);
  return { format: reader.format, packets: reader.records, bytes };
}

export async function captureFetch(
  router: RouterConfig,
  handle: RouterCapture,
  localPath: string,
  options: { removeRemote?: boolean; timeoutMs?: number } = {},
): Promise<DriverResult<{ localPath: string } & CaptureFileCheck>> {
  let p: ReturnType<typeof paths>;
  try {
    p = paths(router, handle.id);
  } catch (err) {
    return configFailure(err);
  }
  await fs.mkdir(path.dirname(localPath), { recursive: true });
  return withSsh(router.ssh, async (s) => {
    const got = await s.getFile(p.remoteFile, localPath, options.timeoutMs ?? 300_000);
    if (!got.ok) return got.failure === 'capture_corrupt' ? got : fail('capture_fetch_failed', got.detail);
    let check: CaptureFileCheck;
    try {
      check = await checkCaptureFile(localPath);
    } catch (err) {
      if (err instanceof CaptureFormatError) return fail('capture_failed', `${s.label}: fetched ${p.remoteFile} is not a valid capture: ${err.message}`);
      throw err;
    }
    if (options.removeRemote) {
      const rm = await removeFiles(s, p);
      if (!rm.ok) return rm;
    }
    return { ok: true, localPath, ...check };
  });
}
