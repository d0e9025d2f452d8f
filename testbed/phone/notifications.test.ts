/**
 * The virtual phone's notifications as `dumpsys notification` prints them on Android 5.0: read
 * back with the driver's parser (drivers/phone/notifications.ts), one record per app, updated in
 * place (same key, new record identity), cancelled when the chat opens.
 */
import { parseNotificationDump } from '../../drivers/phone/notifications';
import { SERVICE_SHAPES } from '../services/catalogue';
import { NotificationList } from './notifications';

test('post, update, cancel; the dump is Android 5.0 format with redacted extras and the ticker', () => {
  const list = new NotificationList();
  expect(parseNotificationDump(list.dump(1000))).toEqual([]);
  expect(list.dump(1000)).not.toContain('Notification List:');
  list.post(SERVICE_SHAPES.whatsapp, 'MATAdOR A', 'first', 1_449_000_000_000, 500);
  const one = list.dump(1000);
  const [first] = parseNotificationDump(one);
  expect(first).toMatchObject({ pkg: 'com.whatsapp', id: 1, tag: null, key: '0|com.whatsapp|1|null|10064', tickerText: 'MATAdOR A: first', title: null, text: null, redacted: true });
  expect(one).toMatch(/^Current Notification Manager state:\n/);
  expect(one).toContain('\n  Notification List:\n    NotificationRecord(0x');
  expect(one).toContain('\n        android.title=String\n');
  expect(one).toContain('\n      mRankingTimeMs=1449000000000\n');
  list.post(SERVICE_SHAPES.whatsapp, 'MATAdOR A', 'second', 1_449_000_001_000, 1500);
  list.post(SERVICE_SHAPES.threema, 'MATAdOR A', 'other app', 1_449_000_001_000, 1500);
  const two = parseNotificationDump(list.dump(2000));
  expect(two.map((n) => [n.pkg, n.tickerText])).toEqual([['com.whatsapp', 'MATAdOR A: second'], ['ch.threema.app', 'MATAdOR A: other app']]);
  expect(two[0].key).toBe(first.key);
  expect(/NotificationRecord\((0x[0-9a-f]{8})/.exec(list.dump(2000))?.[1]).not.toBe(/NotificationRecord\((0x[0-9a-f]{8})/.exec(one)?.[1]);
  list.cancelAll('com.whatsapp');
  expect(parseNotificationDump(list.dump(3000)).map((n) => n.pkg)).toEqual(['ch.threema.app']);
});
