/**
 * Running a list of remote commands as one driver step, in ONE exec round trip: the argv lists
 * become lines of a POSIX sh script in which every word is quoted by drivers/shell-quote.ts.
 * Steps change the host's network (ip, iptables, sysctl -w, mkdir of root-owned folders): the
 * script runs as root (drivers/ssh/privilege.ts: `sudo -n` for a non-root login).
 */
import { shellCommand } from '../shell-quote';
import { DriverFailure, DriverResult, fail } from './failures';
import { runPrivileged } from './privilege';
import { CommandOptions, SshSession } from './session';

export type Argv = readonly string[];

/** Last lines of a command's output for failure details (we never send secrets to commands). */
export function tail(text: string, lines = 3): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

const STEP_FAILED = 'matador-step-failed';

/** Script: run each command; at the first failure print the marker, index, exit code, output. */
export function stepsScript(steps: readonly Argv[]): string {
  return steps
    .map((argv, i) => `out=$(${shellCommand(argv)} 2>&1) || { rc=$?; printf '%s %d %d\\n' ${STEP_FAILED} ${i} "$rc"; printf '%s\\n' "$out"; exit 1; }`)
    .join('\n');
}

/** Script: run every command, ignore failures, print how many succeeded. */
export function cleanupScript(steps: readonly Argv[]): string {
  return ['n=0', ...steps.map((argv) => `${shellCommand(argv)} >/dev/null 2>&1 && n=$((n+1))`), 'echo "$n"'].join('\n');
}

/**
 * Script: first the cleanup commands (failures ignored, successes counted and printed on the first
 * line, as cleanupScript does), then the steps as stepsScript runs them. No cleanup: stepsScript.
 */
export function cleanupThenStepsScript(cleanup: readonly Argv[], steps: readonly Argv[]): string {
  return cleanup.length === 0 ? stepsScript(steps) : [cleanupScript(cleanup), stepsScript(steps)].filter(Boolean).join('\n');
}

/**
 * Run argv lists in order; stop at the first non-zero exit and report `failure` naming the
 * command and its output. Transport failures (timeout, lost connection) keep their own string.
 * `cleanup`: commands run first in the same round trip, their failures ignored.
 */
export async function runSteps(session: SshSession, steps: readonly Argv[], failure: DriverFailure, options: CommandOptions = {}, cleanup: readonly Argv[] = []): Promise<DriverResult<object>> {
  if (steps.length === 0 && cleanup.length === 0) return { ok: true };
  const r = await runPrivileged(session, ['sh', '-c', cleanupThenStepsScript(cleanup, steps)], options);
  if (!r.ok) return r;
  if (r.code === 0) return { ok: true };
  return stepScriptFailure(session, steps, r, failure);
}

/** The failure of a script whose steps part (stepsScript) did not succeed: the step and its output. */
function stepScriptFailure(session: SshSession, steps: readonly Argv[], r: { code: number | null; signal: string | null; stdout: string; stderr: string }, failure: DriverFailure): { ok: false; failure: DriverFailure; detail: string } {
  const m = new RegExp(`^${STEP_FAILED} (\\d+) (\\d+)$`, 'm').exec(r.stdout);
  if (!m) return fail(failure, `${session.label}: step script exited ${r.code ?? r.signal}: ${tail(r.stderr || r.stdout)}`);
  const output = r.stdout.slice(m.index + m[0].length);
  return fail(failure, `${session.label}: \`${steps[Number(m[1])].join(' ')}\` exited ${m[2]}: ${tail(output)}`);
}

/**
 * Cleanup commands (failures ignored, successes counted), then `steps` that must succeed, in ONE
 * round trip: e.g. a tunnel end's rules and routes, then its link (tunnel-link.ts takeEndDown).
 */
export async function runCleanupThenSteps(session: SshSession, cleanup: readonly Argv[], steps: readonly Argv[], failure: DriverFailure, options: CommandOptions = {}): Promise<DriverResult<{ succeeded: number }>> {
  if (cleanup.length === 0) throw new Error('runCleanupThenSteps: no cleanup commands (use runSteps)');
  const r = await runPrivileged(session, ['sh', '-c', cleanupThenStepsScript(cleanup, steps)], options);
  if (!r.ok) return r;
  const succeeded = Number(r.stdout.split('\n')[0].trim());
  if (!Number.isInteger(succeeded)) return fail('ssh_command_failed', `${session.label}: cleanup script exited ${r.code}: ${tail(r.stderr)}`);
  if (r.code === 0) return { ok: true, succeeded };
  return stepScriptFailure(session, steps, r, failure);
}
