/**
 * Reading `dumpsys notification --noredact`: the posted notifications (AOSP
 * NotificationManagerService.dumpImpl + NotificationRecord.dump).
 *
 * Format (Android 5.0, the paper's Moto E): under "Notification List:" one block per record,
 *   NotificationRecord(0x0a1b2c3d: pkg=com.whatsapp user=UserHandle{0} id=1 tag=null score=10 key=0|com.whatsapp|1|null|10061: Notification(pri=1 ...))
 *     uid=10061 userId=0
 *     ...
 *     tickerText=MATAdOR A: hello
 *     ...
 *     extras={
 *       android.title=String
 *       android.text=String
 *     }
 * Android 5 always redacts CharSequence extras (only the class name is printed) and knows no
 * --noredact (the argument is ignored), so there the ticker text is the only text; Android 6+
 * prints `String [length=N]` when redacting and `String (text)` with --noredact, and arrays
 * (android.textLines, the lines of a grouped notification) as `CharSequence[] (N)` followed by
 * `[i] text` lines. A text with a newline in it continues on the next dump line: only its
 * first line is read.
 */

export interface PostedNotification {
  pkg: string;
  id: number;
  tag: string | null;
  key: string;
  tickerText: string | null;
  /** Null when absent or redacted. */
  title: string | null;
  text: string | null;
  bigText: string | null;
  textLines: string[];
  /** Some CharSequence extra was printed without its text (Android 5, or 6+ without --noredact). */
  redacted: boolean;
}

const HEADER = /^\s*NotificationRecord\(0x[0-9a-f]+: pkg=(\S+) user=\S+ id=(-?\d+) tag=(\S+) (?:score=-?\d+ )?key=(\S+): Notification\(/;
const EXTRA = /^\s*(android\.[A-Za-z]+)=(String|SpannableString|SpannedString|CharSequence|[A-Za-z]*String)(?: \((.*)\)| \[length=\d+\])?\s*$/;
const ARRAY = /^\s*(android\.textLines)=(?:CharSequence|String)\[\] \((\d+)\)\s*$/;
const ARRAY_ITEM = /^\s*\[(\d+)\] (.*)$/;

export function parseNotificationDump(dump: string): PostedNotification[] {
  const out: PostedNotification[] = [];
  let cur: PostedNotification | null = null;
  let arrayLeft = 0;
  for (const line of dump.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      cur = { pkg: h[1], id: Number(h[2]), tag: h[3] === 'null' ? null : h[3], key: h[4], tickerText: null, title: null, text: null, bigText: null, textLines: [], redacted: false };
      out.push(cur);
      arrayLeft = 0;
      continue;
    }
    if (!cur) continue;
    if (arrayLeft > 0) {
      const item = ARRAY_ITEM.exec(line);
      if (item) {
        cur.textLines.push(item[2]);
        arrayLeft--;
        continue;
      }
      arrayLeft = 0;
    }
    const ticker = /^\s*tickerText=(.*)$/.exec(line);
    if (ticker) {
      cur.tickerText = ticker[1] === 'null' ? null : ticker[1];
      continue;
    }
    const arr = ARRAY.exec(line);
    if (arr) {
      arrayLeft = Number(arr[2]);
      continue;
    }
    const ex = EXTRA.exec(line);
    if (!ex) continue;
    if (ex[3] === undefined) {
      cur.redacted = true;
      continue;
    }
    if (ex[1] === 'android.title') cur.title = ex[3];
    else if (ex[1] === 'android.text') cur.text = ex[3];
    else if (ex[1] === 'android.bigText') cur.bigText = ex[3];
  }
  return out;
}

/** Whether a posted notification of `pkg` shows `text`: as its text, big text, one of its
 *  lines, or at the end of its ticker (apps tick "<sender>: <text>"). */
export function notificationShows(n: PostedNotification, o: { pkg: string; text: string; titlePattern?: RegExp }): boolean {
  if (n.pkg !== o.pkg) return false;
  if (o.titlePattern && n.title !== null && !o.titlePattern.test(n.title)) return false;
  const t = o.text;
  return n.text === t || n.bigText === t || n.textLines.some((l) => l === t || l.endsWith(`: ${t}`)) || n.tickerText === t || (n.tickerText?.endsWith(`: ${t}`) ?? false);
}
