/**
 * Android 5's toolbox `date` (system/core/toolbox/date.c): `date [-u] [+FORMAT]` prints the
 * time with bionic's strftime (tzcode), default format "%a %b %e %H:%M:%S %Z %Y";
 * `date -s YYYYMMDD[.hhmmss]` sets the clock (root only: settimeofday). Bionic's strftime has no
 * %N: an unknown conversion prints its character (`+%s%N` -> "1449000000N"). The virtual phone
 * runs in UTC (persist.sys.timezone), so %Z is "UTC" and %z "+0000".
 * Not reproduced: the -r flag, locales, time zones other than UTC.
 */
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2, c = '0'): string => String(n).padStart(w, c);

export function strftimeUtc(format: string, ms: number): string {
  const d = new Date(Math.floor(ms));
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== '%' || i + 1 >= format.length) {
      out += ch;
      continue;
    }
    const c = format[++i];
    switch (c) {
      case 's': out += String(Math.floor(ms / 1000)); break;
      case 'Y': out += String(d.getUTCFullYear()); break;
      case 'm': out += pad(d.getUTCMonth() + 1); break;
      case 'd': out += pad(d.getUTCDate()); break;
      case 'e': out += pad(d.getUTCDate(), 2, ' '); break;
      case 'H': out += pad(d.getUTCHours()); break;
      case 'M': out += pad(d.getUTCMinutes()); break;
      case 'S': out += pad(d.getUTCSeconds()); break;
      case 'a': out += DAYS[d.getUTCDay()]; break;
      case 'b': out += MONTHS[d.getUTCMonth()]; break;
      case 'Z': out += 'UTC'; break;
      case 'z': out += '+0000'; break;
      case 'T': out += `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`; break;
      case 'F': out += `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`; break;
      case '%': out += '%'; break;
      default: out += c; // tzcode: an undefined conversion prints its character
    }
  }
  return out;
}

/** `date -s` argument YYYYMMDD[.hhmmss] (UTC) as ms; null when malformed. */
export function parseSetTime(arg: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(?:\.(\d{2})(\d{2})(\d{2}))?$/.exec(arg);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  return Number.isFinite(ms) ? ms : null;
}

export const DEFAULT_DATE_FORMAT = '%a %b %e %H:%M:%S %Z %Y';
