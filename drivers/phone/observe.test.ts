import * as fs from 'fs';
import * as path from 'path';
import { CLOCK_MARK } from './clock';
import { lookCommand, parseLook } from './observe';

const XML = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0"><node index="0" text="hi" resource-id="com.whatsapp:id/message_text" class="android.widget.TextView" package="com.whatsapp" content-desc="" bounds="[0,0][10,10]" /></hierarchy>`;
const NOTIF = fs.readFileSync(path.join(__dirname, 'fixtures', 'dumpsys-notification-android5.txt'), 'utf8');
const clock = (s: number): string => `${CLOCK_MARK}\n${s}N\n${s}.250000\n`;

test('the command reads the clock around the dumps, one shell line', () => {
  const cmd = lookCommand({ notifications: true });
  expect(cmd.indexOf('date +%s%N')).toBeLessThan(cmd.indexOf('uiautomator dump'));
  expect(cmd.lastIndexOf('date +%s%N')).toBeGreaterThan(cmd.indexOf('dumpsys notification --noredact'));
  expect(cmd).not.toMatch(/\$\(|`/);
});

test('a look: clock before/after, the screen and the notifications (Android 5 output)', () => {
  const out = `${clock(1449000000)}UI hierchary dumped to: /sdcard/window_dump.xml\n${XML}\n@@matador-notifications@@\n${NOTIF}${clock(1449000001)}`;
  const look = parseLook(out, { notifications: true });
  if (typeof look === 'string') throw new Error(look);
  expect(look.before).toEqual({ ms: 1449000000250, precision: 'us' });
  expect(look.after.ms).toBe(1449000001250);
  expect(look.elements?.[0].text).toBe('hi');
  expect(look.notifications?.map((n) => n.pkg)).toEqual(['com.android.systemui', 'com.whatsapp']);
});

test('a failed dump is a look without a screen; a look without clock is unusable', () => {
  const look = parseLook(`${clock(1449000000)}ERROR: null root node returned by UiTestAutomationBridge.\n${clock(1449000001)}`, { notifications: false });
  expect(typeof look !== 'string' && look.elements).toBeNull();
  expect(typeof look !== 'string' && look.uiError).toMatch(/not a uiautomator dump/);
  expect(parseLook('sh: date: not found\n', { notifications: false })).toMatch(/clock did not answer/);
});
