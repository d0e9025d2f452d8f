/**
 * UI input steps in a row (a tap whose element is on the screen just dumped, `input text`,
 * `input keyevent`) in ONE adb shell round trip, optionally followed in the same command by
 * what the next step needs: a screen dump (the next tap's element) or a look (send.ts: the
 * sender's chat right after the sending tap). A real Android shell runs such a list as it runs
 * each command alone (`sh -c "input tap 540 1700 && input text 'hi'"`): each `input` is still
 * its own process, only the adb round trips between them are saved (and on a real phone the
 * `uiautomator dump` a tap would otherwise take first).
 *
 * The inputs are joined with `&&` (the list stops at the first that exits non-zero, as the
 * steps stop at the first failing one), each followed by a mark that says it succeeded; their
 * output goes to stdout (`2>&1`) so each step's own output lies between the marks. Then the
 * list's status is printed (`$?`) and the read part (dump or look) runs in any case (it only
 * reads). Only the POSIX sh subset every Android shell has: `;`, `&&`, `2>&1`, `echo`, `$?`.
 */
import type { ShellOutput } from './adb-device';
import { phoneFail, type PhoneFailure, type PhoneResult } from './failures';
import { lookCommand, parseLook, type Look } from './observe';
import { readDumpOutput, UI_DUMP_COMMAND, type UiDump } from './ui-dump';

/** One input command of a batch, and how its failure is reported (as the single command's). */
export interface BatchedInput {
  /** The command line; every variable part is already quoted by the caller. */
  command: string;
  operation: string;
  failure: PhoneFailure;
}

/** What runs after the inputs, in the same round trip. */
export type BatchRead = { kind: 'none' } | { kind: 'dump' } | { kind: 'look'; notifications: boolean };

const STEP_MARK = '@@matador-ui-step-';
const STATUS_MARK = '@@matador-ui-status';
/** Output lines by which `input` and `am` report a failure even when they exit 0. */
const ERROR_OUTPUT = /^(Error|Exception|java\.lang\.)/m;

export function batchCommand(inputs: readonly BatchedInput[], read: BatchRead): string {
  if (inputs.length === 0) throw new Error('batchCommand: no input commands');
  const chain = inputs.map((c, i) => `${c.command} 2>&1 && echo ${STEP_MARK}${i}`).join(' && ');
  const tail = read.kind === 'dump' ? UI_DUMP_COMMAND : read.kind === 'look' ? lookCommand({ notifications: read.notifications }) : null;
  return `${chain}; echo ${STATUS_MARK} $?${tail === null ? '' : `; ${tail}`}`;
}

export interface BatchOutcome {
  /** How many inputs ran successfully (all of them when `failed` is null). */
  done: number;
  /** The first input that failed, as its own command's failure would read. */
  failed: (PhoneResult & { ok: false }) | null;
  /** The read part: a dump (null when it failed, transient or not: the next tap dumps itself), or a look. */
  dump: UiDump | null;
  look: Look | null;
}

/** Splits a batch's output into the inputs' results and the read part. */
export function readBatchOutput(inputs: readonly BatchedInput[], read: BatchRead, r: ShellOutput, serial: string): BatchOutcome {
  const at = r.stdout.indexOf(`${STATUS_MARK} `);
  const chain = at < 0 ? r.stdout : r.stdout.slice(0, at);
  const statusLine = at < 0 ? '' : r.stdout.slice(at + STATUS_MARK.length + 1).split('\n')[0];
  const status = /^\d+$/.test(statusLine.trim()) ? Number(statusLine.trim()) : r.exitCode;
  const rest = at < 0 ? '' : r.stdout.slice(at).split('\n').slice(1).join('\n');
  let from = 0;
  let done = 0;
  let failed: BatchOutcome['failed'] = null;
  for (let i = 0; i < inputs.length; i++) {
    const mark = chain.indexOf(`${STEP_MARK}${i}\n`, from);
    const out = chain.slice(from, mark < 0 ? undefined : mark);
    const c = inputs[i];
    if (mark < 0 || ERROR_OUTPUT.test(out)) {
      const code = mark < 0 ? status : 0;
      failed = phoneFail(c.failure, c.operation, `\`${c.command}\` exited ${code}: ${out.trim().split('\n').slice(-3).join(' | ')}`);
      break;
    }
    done++;
    from = mark + `${STEP_MARK}${i}\n`.length;
  }
  let dump: UiDump | null = null;
  let look: Look | null = null;
  if (failed === null && at >= 0 && read.kind === 'dump') {
    const d = readDumpOutput({ stdout: rest, stderr: r.stderr, exitCode: r.exitCode }, serial);
    dump = d.ok === true ? d : null;
  }
  if (failed === null && at >= 0 && read.kind === 'look') {
    const l = parseLook(rest, { notifications: read.notifications });
    look = typeof l === 'string' ? null : l;
  }
  return { done, failed, dump, look };
}
