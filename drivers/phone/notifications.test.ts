/**
 * Parsing `dumpsys notification --noredact` in Android 5.0's format (extras always redacted:
 * the ticker carries the text) and Android 6+'s (`String (text)` with --noredact, `[length=N]`
 * without; text lines of a grouped notification).
 */
import * as fs from 'fs';
import * as path from 'path';
import { notificationShows, parseNotificationDump } from './notifications';

const ANDROID5 = fs.readFileSync(path.join(__dirname, 'fixtures', 'dumpsys-notification-android5.txt'), 'utf8');
const TEXT = 'MATAdOR test message 1 of 10 from A';

test('Android 5: records with package, id, key and ticker; title/text redacted', () => {
  const list = parseNotificationDump(ANDROID5);
  expect(list.map((n) => n.pkg)).toEqual(['com.android.systemui', 'com.whatsapp']);
  expect(list[1]).toMatchObject({ id: 1, tag: null, key: '0|com.whatsapp|1|null|10064', tickerText: `MATAdOR A: ${TEXT}`, title: null, text: null, redacted: true });
  expect(list[0].tickerText).toBeNull();
  expect(notificationShows(list[1], { pkg: 'com.whatsapp', text: TEXT })).toBe(true);
  expect(notificationShows(list[1], { pkg: 'com.whatsapp', text: 'MATAdOR test message 2 of 10 from A' })).toBe(false);
  expect(notificationShows(list[1], { pkg: 'ch.threema.app', text: TEXT })).toBe(false);
});

test('Android 6+ with --noredact: title, text and text lines; without: [length=N] is redacted', () => {
  const dump = [
    'Current Notification Manager state:',
    '  Notification List:',
    '    NotificationRecord(0x0b1c2d3e: pkg=org.thoughtcrime.securesms user=UserHandle{0} id=1338 tag=null key=0|org.thoughtcrime.securesms|1338|null|10061: Notification(pri=1 contentView=null vibrate=null sound=null defaults=0x0 flags=0x11 color=0xff2090ea category=msg actions=2 vis=PRIVATE))',
    '      tickerText=null',
    '      extras={',
    '        android.title=String (MATAdOR A)',
    `        android.text=SpannableString (${TEXT})`,
    '        android.textLines=CharSequence[] (2)',
    '          [0] MATAdOR A: earlier',
    `          [1] MATAdOR A: ${TEXT}`,
    '        android.showWhen=Boolean (true)',
    '      }',
    '    NotificationRecord(0x0c1c2d3e: pkg=ch.threema.app user=UserHandle{0} id=7 tag=msg key=0|ch.threema.app|7|msg|10062: Notification(pri=0))',
    '      extras={',
    '        android.title=String [length=9]',
    '      }',
  ].join('\n');
  const [signal, threema] = parseNotificationDump(dump);
  expect(signal).toMatchObject({ title: 'MATAdOR A', text: TEXT, textLines: ['MATAdOR A: earlier', `MATAdOR A: ${TEXT}`], redacted: false });
  expect(notificationShows(signal, { pkg: 'org.thoughtcrime.securesms', text: TEXT, titlePattern: /^MATAdOR A$/ })).toBe(true);
  expect(notificationShows(signal, { pkg: 'org.thoughtcrime.securesms', text: TEXT, titlePattern: /^Someone else$/ })).toBe(false);
  expect(threema).toMatchObject({ tag: 'msg', redacted: true, title: null });
});

test('no notifications: an empty list', () => {
  expect(parseNotificationDump('Current Notification Manager state:\n  mSystemReady=true\n')).toEqual([]);
});
