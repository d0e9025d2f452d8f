/**
 * The one way the router and node drivers run a command that needs root: through `sudo -n` when
 * the login is not root (a lab's VPS admin account), as is when it is root.
 *
 *   runPrivileged(session, argv, options)              argv -> sudo -n -- argv
 *   runPrivilegedScript(session, script, args, options) -> sudo -n -- sh -c SCRIPT sh ARGS...
 *
 * The target's `sudo` mode decides (SshTarget.sudo, from the testbeds/nodes file):
 *   auto (default)  sudo when the login's uid is not 0 (asked once per connection: `id -u; id -g`)
 *   always          always sudo (also for a root login)
 *   never           never; a non-root login then fails privileged steps with privilege_denied
 * `-n` never lets sudo ask for a password: an exec channel has no terminal and a waiting prompt
 * would only end in the command timeout. sudo refusing (password required, not in sudoers,
 * command not allowed, requiretty, sudo missing) is `privilege_denied` naming the sudoers line to
 * add; everything else is the command's own output, as for session.run.
 *
 * The remote `timeout` (session.run) runs sudo, so it signals sudo, which relays the signal to
 * the command (sudo(8): "signals ... are relayed to the command"); without a pty (no tty on an
 * exec channel, even with Debian 12's `Defaults use_pty`) the command also shares timeout's
 * process group, which timeout signals too.
 */
import { SUDO_MODES, type SudoMode } from '../../lib/config/fields';
import { shellQuote } from '../shell-quote';
import { fail } from './failures';
import type { CommandOptions, RunResult, SshSession } from './session';

export { SUDO_MODES, type SudoMode };

/** Who the login is (cached per connection). */
export interface LoginIds {
  uid: number;
  gid: number;
}

/** argv as sudo runs it: no password prompt, no option parsing of argv. */
export function sudoArgv(argv: readonly string[]): string[] {
  return ['sudo', '-n', '--', ...argv];
}

/** Use sudo for a privileged command of this login under this mode? */
export function needsSudo(mode: SudoMode, ids: LoginIds): boolean {
  return mode === 'always' || (mode === 'auto' && ids.uid !== 0);
}

// sudo's own refusals (sudo 1.9 plugins/sudoers/logging.c and check.c; older wordings kept),
// and the shell's "sudo: not found" when sudo is not installed.
const SUDO_REFUSALS: readonly RegExp[] = [
  /^sudo: a (terminal|password) is required\b.*$/m,
  /^sudo: no tty present and no askpass program specified$/m,
  /^sudo: sorry, you must have a tty to run sudo$/m,
  /^.*\bis not in the sudoers file\b.*$/m,
  /^Sorry, user \S+ is not allowed to execute .*$/m,
  /^sudo: account validation failure.*$/m,
  /^(?:sh|bash|dash|ash)?:?.*\bsudo: (?:command )?not found$/m,
];

/**
 * sudo's refusal line in a command's output, or null when sudo ran the command (whatever the
 * command then said is its own business). Only a failed exit counts: sudo refuses with exit 1
 * (127 when the shell cannot find sudo).
 */
export function sudoRefusal(out: { code: number | null; stderr: string }): string | null {
  if (out.code === 0) return null;
  for (const re of SUDO_REFUSALS) {
    const m = re.exec(out.stderr);
    if (m) return m[0].trim();
  }
  return null;
}

/** What to add on the host, one line. */
export function sudoersFix(user: string, refusal: string): string {
  if (/not found/.test(refusal)) return `install sudo on the host (apt-get install sudo) and give ${user} passwordless sudo, or log in as root`;
  if (/tty/.test(refusal)) return `remove \`Defaults requiretty\` for ${user} from the host's sudoers (visudo)`;
  return `add \`${user} ALL=(root) NOPASSWD: ALL\` in /etc/sudoers.d/matador on the host (visudo -f /etc/sudoers.d/matador), or log in as root`;
}

/** The login's uid/gid, asked once per connection. */
export async function loginIds(session: SshSession): Promise<{ ok: true; ids: LoginIds } | Extract<RunResult, { ok: false }>> {
  return session.perConnection('login-ids', async () => {
    const r = await session.run(['sh', '-c', 'id -u; id -g'], { timeoutMs: 10_000 });
    if (!r.ok) return r;
    const [uid, gid] = r.stdout.trim().split('\n').map(Number);
    if (r.code !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid)) return fail('ssh_command_failed', `${session.label}: id -u; id -g exited ${r.code}: ${r.stderr.trim()}`);
    return { ok: true as const, ids: { uid, gid } };
  });
}

/**
 * "uid:gid" of a non-root login, for chown of what a privileged step made that the login must
 * read over SFTP; '' for root, who reads everything and changes no owner (so a folder that a
 * non-root admin owns stays theirs).
 */
export async function loginOwner(session: SshSession): Promise<{ ok: true; owner: string } | Extract<RunResult, { ok: false }>> {
  const who = await loginIds(session);
  if (!who.ok) return who;
  return { ok: true, owner: who.ids.uid === 0 ? '' : `${who.ids.uid}:${who.ids.gid}` };
}

/** The command for messages: a script shows as `sh -c '<first line>…'`, not whole. */
function commandText(argv: readonly string[]): string {
  if (argv[0] === 'sh' && argv[1] === '-c' && argv.length >= 3) {
    const first = argv[2].trim().split('\n')[0];
    return `sh -c '${first.slice(0, 60)}${first.length > 60 || argv[2].trim().includes('\n') ? '…' : ''}'`;
  }
  const text = argv.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : shellQuote(w))).join(' ');
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function user(session: SshSession): string {
  return session.label.split('@')[0];
}

/** Run argv as root (see the module comment). */
export async function runPrivileged(session: SshSession, argv: readonly string[], options: CommandOptions = {}): Promise<RunResult> {
  const who = await loginIds(session);
  if (!who.ok) return who;
  const what = `${session.label}: ${commandText(argv)}`;
  if (!needsSudo(session.sudo, who.ids)) {
    if (who.ids.uid === 0) return session.run(argv, options);
    return fail('privilege_denied', `${what}: needs root, the login is uid ${who.ids.uid} and sudo is 'never': log in as root or set sudo: auto for this host`);
  }
  const r = await session.run(sudoArgv(argv), options);
  if (!r.ok) return r;
  const refusal = sudoRefusal(r);
  if (refusal === null) return r;
  return fail('privilege_denied', `${session.label}: sudo -n ${commandText(argv)}: ${refusal}: ${sudoersFix(user(session), refusal)}`);
}

/** Run a fixed script as root with `sh -c`; dynamic values go in as positional parameters. */
export function runPrivilegedScript(session: SshSession, script: string, args: readonly string[], options: CommandOptions = {}): Promise<RunResult> {
  return runPrivileged(session, ['sh', '-c', script, 'sh', ...args], options);
}
