/**
 * The virtual phone's notification manager: a messaging app posts one notification per chat for
 * messages that arrive while its chat is not on screen, updated with each new message and
 * cancelled when the chat is opened (as WhatsApp and its peers of 2015 did). `dump()` prints
 * what Android 5.0's `dumpsys notification` prints (NotificationManagerService.dumpImpl and
 * NotificationRecord.dump of 5.0): every CharSequence extra redacted to its class name (5.0
 * always redacts and has no --noredact; the argument is ignored), the ticker text in full.
 * Not reproduced: ranking (score is fixed), the listeners and zen sections' contents, the
 * notification sound/vibration, grouped (InboxStyle) notifications.
 */
import type { ServiceShape } from '../services/catalogue';

interface Posted {
  hash: number;
  shape: ServiceShape;
  id: number;
  ticker: string;
  postedAtMs: number;
  elapsedAtPostMs: number;
}

const hex8 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

export class NotificationList {
  private posted: Posted[] = [];
  private nextHash = 0x1b6f0c2d;

  /** Post or update the app's chat notification (id 1): the ticker is "<sender>: <text>". */
  post(shape: ServiceShape, sender: string, text: string, nowMs: number, elapsedMs: number): void {
    const ticker = `${sender}: ${text}`;
    const old = this.posted.find((p) => p.shape.packageName === shape.packageName);
    if (old) {
      // An update is a new NotificationRecord (new identity) under the same key.
      Object.assign(old, { hash: (this.nextHash += 0x1d3), ticker, postedAtMs: nowMs, elapsedAtPostMs: elapsedMs });
      return;
    }
    this.posted.push({ hash: (this.nextHash += 0x1d3), shape, id: 1, ticker, postedAtMs: nowMs, elapsedAtPostMs: elapsedMs });
  }

  cancelAll(pkg: string): void {
    this.posted = this.posted.filter((p) => p.shape.packageName !== pkg);
  }

  list(): ReadonlyArray<{ pkg: string; ticker: string }> {
    return this.posted.map((p) => ({ pkg: p.shape.packageName, ticker: p.ticker }));
  }

  dump(elapsedMs: number): string {
    const out = ['Current Notification Manager state:', '  Listeners (0) whitelisted=0 enabled=0', '    mListenersDisablingEffects: (0)'];
    if (this.posted.length > 0) {
      out.push('  Notification List:');
      for (const p of this.posted) out.push(...record(p, elapsedMs));
      out.push('  ');
    }
    out.push('  mSoundNotification=null', '  mVibrateNotification=null', '  mDisableNotificationEffects=false', '  mCallState=idle', '  mSystemReady=true');
    return `${out.join('\n')}\n`;
  }
}

function record(p: Posted, elapsedMs: number): string[] {
  const pkg = p.shape.packageName;
  const key = `0|${pkg}|${p.id}|null|${p.shape.uid}`;
  const pre = '    ';
  return [
    `${pre}NotificationRecord(${hex8(p.hash)}: pkg=${pkg} user=UserHandle{0} id=${p.id} tag=null score=10 key=${key}: Notification(pri=1 contentView=${pkg}/0x1090085 vibrate=default sound=default defaults=0x0 flags=0x11 color=0x00000000 category=msg vis=PRIVATE))`,
    `${pre}  uid=${p.shape.uid} userId=0`,
    `${pre}  icon=0x7f020409 / ${pkg}:drawable/notifybar`,
    `${pre}  pri=1 score=10`,
    `${pre}  key=${key}`,
    `${pre}  groupKey=${key}`,
    `${pre}  contentIntent=PendingIntent{${hex8(p.hash ^ 0x5a5a5a5a).slice(2)}: android.os.BinderProxy@${(p.hash ^ 0x3c3c3c3c).toString(16)}}`,
    `${pre}  deleteIntent=null`,
    `${pre}  tickerText=${p.ticker}`,
    `${pre}  contentView=android.widget.RemoteViews@${(p.hash ^ 0x12345678).toString(16)}`,
    `${pre}  defaults=0x00000000 flags=0x00000011`,
    `${pre}  sound=null`,
    `${pre}  audioStreamType=5`,
    `${pre}  audioAttributes=AudioAttributes: usage=5 content=4 flags=0x0 tags= bundle=null`,
    `${pre}  color=0x00000000`,
    `${pre}  vibrate=null`,
    `${pre}  led=0x00000000 onMs=0 offMs=0`,
    `${pre}  extras={`,
    `${pre}    android.title=String`,
    `${pre}    android.subText=null`,
    `${pre}    android.showChronometer=Boolean (false)`,
    `${pre}    android.icon=Integer (2130838537)`,
    `${pre}    android.text=String`,
    `${pre}    android.showWhen=Boolean (true)`,
    `${pre}    android.infoText=null`,
    `${pre}  }`,
    `${pre}  stats=SingleNotificationStats{posttimeElapsedMs=${Math.round(p.elapsedAtPostMs)}, posttimeToFirstClickMs=-1, posttimeToDismissMs=-1, airtimeCount=0, posttimeToFirstAirtimeMs=-1, airtimeMs=0, posttimeToFirstVisibleExpansionMs=-1, userExpansionCount=0, userExpansionCount=0, userExpansionCount=0}`,
    `${pre}  mContactAffinity=0.0`,
    `${pre}  mRecentlyIntrusive=${elapsedMs - p.elapsedAtPostMs < 10_000}`,
    `${pre}  mPackagePriority=0`,
    `${pre}  mPackageVisibility=-1000`,
    `${pre}  mIntercept=false`,
    `${pre}  mGlobalSortKey=null`,
    `${pre}  mRankingTimeMs=${Math.floor(p.postedAtMs)}`,
  ];
}
