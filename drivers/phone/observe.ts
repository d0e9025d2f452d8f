/**
 * One look at a phone, in one adb round trip: the clock, the screen's UI hierarchy
 * (`uiautomator dump`), optionally the posted notifications (`dumpsys notification
 * --noredact`), and the clock again. Whatever the look shows was on the phone between the two
 * clock readings; a message first shown in this look appeared after the previous look began.
 */
import { CLOCK_PROBE, splitClocked, type ClockReading } from './clock';
import { parseNotificationDump, type PostedNotification } from './notifications';
import { parseUiDump, type UiElement } from './ui-xml';

export const UI_DUMP_FILE = '/sdcard/window_dump.xml';
const NOTIFICATIONS_MARK = '@@matador-notifications@@';

/** The shell command of a look. The old dump file is removed first, so a failed dump is never
 *  answered with a stale screen. */
export function lookCommand(o: { notifications: boolean }): string {
  const parts = [CLOCK_PROBE, `rm -f ${UI_DUMP_FILE}`, `uiautomator dump ${UI_DUMP_FILE} && cat ${UI_DUMP_FILE}`];
  if (o.notifications) parts.push(`echo; echo ${NOTIFICATIONS_MARK}`, 'dumpsys notification --noredact');
  parts.push(CLOCK_PROBE);
  return parts.join('; ');
}

export interface Look {
  /** Phone clock when the look began and ended. */
  before: ClockReading;
  after: ClockReading;
  /** The screen (null when the dump failed: the screen animating, a transient uiautomator error). */
  elements: UiElement[] | null;
  uiError: string | null;
  notifications: PostedNotification[] | null;
}

/** A look's output; a string says why it is unusable (no clock readings). */
export function parseLook(output: string, o: { notifications: boolean }): Look | string {
  const { readings, bodies } = splitClocked(output);
  const [before, after] = readings;
  if (!before || !after) return `the phone's clock did not answer (${JSON.stringify(output.slice(0, 120))})`;
  const [ui, notifications] = o.notifications ? bodies[1].split(`${NOTIFICATIONS_MARK}\n`) : [bodies[1], undefined];
  let elements: UiElement[] | null = null;
  let uiError: string | null = null;
  const at = ui.indexOf('<?xml');
  try {
    elements = parseUiDump(at >= 0 ? ui.slice(at) : ui);
  } catch (err) {
    uiError = (err as Error).message;
  }
  return { before, after, elements, uiError, notifications: notifications === undefined ? null : parseNotificationDump(notifications) };
}
