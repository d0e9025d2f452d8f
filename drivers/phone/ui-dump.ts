/**
 * `uiautomator dump` with a bounded retry of its transient errors. While the screen changes (an
 * activity transition, an animation, a dialog opening, the screen turning off) real Android's
 * DumpCommand prints `ERROR: null root node returned by UiTestAutomationBridge.` or
 * `ERROR: could not get idle state.` on stderr, exits 0 and writes no file; a moment later the
 * same dump works. One such dump must not make a tap give up, and a screen that never settles
 * must end with one precise failure naming the phone, not a timeout.
 */
import type { ShellOutput } from './adb-device';
import { phoneFail, type PhoneResult } from './failures';
import { parseUiDump, type UiElement } from './ui-xml';

/** What DumpCommand prints when it cannot get the window (AOSP cmds/uiautomator DumpCommand). */
const TRANSIENT_DUMP_ERRORS = [/ERROR: null root node returned by UiTestAutomationBridge\.?/, /ERROR: could not get idle state\.?/];

/** The transient error line a dump's output carries, or null. */
export function transientDumpError(output: string): string | null {
  for (const re of TRANSIENT_DUMP_ERRORS) {
    const m = re.exec(output);
    if (m) return m[0];
  }
  return null;
}

export interface UiDumpRetry {
  /** Dumps in all (first one included). */
  tries: number;
  /** Pause between dumps (the screen gets time to settle). */
  delayMs: number;
}

/** 6 dumps 400 ms apart: ~3 s covers an activity transition or a dialog's animation. */
export const UI_DUMP_RETRY: UiDumpRetry = { tries: 6, delayMs: 400 };

export const UI_DUMP_FILE = '/sdcard/window_dump.xml';
/** The old file is removed first, so a dump that failed can never be answered with a stale screen. */
export const UI_DUMP_COMMAND = `rm -f ${UI_DUMP_FILE}; uiautomator dump ${UI_DUMP_FILE} && cat ${UI_DUMP_FILE}`;

export interface UiDump {
  elements: UiElement[];
  /** The XML as uiautomator wrote it (kept as a failure artefact). */
  xml: string;
  /** Transient errors seen before this dump worked. */
  retried: string[];
}

/**
 * What one run of UI_DUMP_COMMAND printed: the hierarchy, a failure, or the transient error to
 * dump again after (also used for a dump that ends a batched command, drivers/phone/ui-batch.ts).
 */
export function readDumpOutput(r: ShellOutput, serial: string, retried: string[] = []): PhoneResult<UiDump> | { ok: 'transient'; error: string } {
  const transient = transientDumpError(`${r.stdout}\n${r.stderr}`);
  if (transient) return { ok: 'transient', error: transient };
  const text = `${r.stdout}${r.stderr}`;
  const at = r.stdout.indexOf('<?xml');
  if (r.exitCode !== 0 || at < 0) {
    return phoneFail('shell_error', 'uiautomator dump', `\`${UI_DUMP_COMMAND}\` on ${serial} exited ${r.exitCode}: ${text.trim().split('\n').slice(-3).join(' | ')}`);
  }
  const xml = r.stdout.slice(at);
  try {
    return { ok: true, elements: parseUiDump(xml), xml, retried };
  } catch (err) {
    return phoneFail('shell_error', 'uiautomator dump', `${serial}: ${(err as Error).message}`);
  }
}

/** Runs UI_DUMP_COMMAND through `shell` until it yields a hierarchy, a non-transient failure, or the bound. */
export async function dumpWithRetry(
  shell: (command: string) => Promise<PhoneResult<ShellOutput>>,
  serial: string,
  retry: UiDumpRetry = UI_DUMP_RETRY,
): Promise<PhoneResult<UiDump>> {
  const started = Date.now();
  const retried: string[] = [];
  for (let i = 1; ; i++) {
    const r = await shell(UI_DUMP_COMMAND);
    if (!r.ok) return r;
    const read = readDumpOutput(r, serial, retried);
    if (read.ok !== 'transient') return read;
    const transient = read.error;
    retried.push(transient);
    if (i >= retry.tries) {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      return phoneFail(
        'shell_error',
        'uiautomator dump',
        `uiautomator dump on ${serial} failed ${i} times in ${seconds} s ("${transient}"): the screen did not settle; ` +
          `look at ${serial} (a dialog, an animation, the screen turning off), fix it, then rerun the failed measurement`,
      );
    }
    await new Promise((res) => setTimeout(res, retry.delayMs));
  }
}
