/**
 * The live progress of a campaign (`campaign start --wait`, `campaign status --watch`, `demo`):
 * a pure renderer of the workflow's `progress` query answer, a rate estimator, and the loop that
 * polls the query and redraws one line on a terminal (or prints a line every ~10 s otherwise).
 * No dependency: a progress bar is one string.
 */
import type { CampaignProgress } from '../lib/measurement/payloads';
import { LaneEstimator } from './campaign-eta';

export interface ProgressLineOptions {
  /** Seconds since the watch (or the campaign) started. */
  elapsedSeconds: number;
  /** Finished measurements per minute; null while not known yet. */
  ratePerMinute: number | null;
  /** Seconds left (LaneEstimator); absent or null: estimated from the rate. */
  etaSeconds?: number | null;
  /** Terminal: a bar and the line cut to `width`; otherwise a plain log line. */
  tty: boolean;
  /** Columns (TTY only; default 100). */
  width?: number;
  /** Bar cells (TTY only; default 20). */
  barCells?: number;
}

/** `1h02m`, `5m07s`, `42s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

function bar(fraction: number, cells: number): string {
  const full = Math.max(0, Math.min(cells, Math.floor(fraction * cells)));
  return `[${'#'.repeat(full)}${'.'.repeat(cells - full)}]`;
}

/** The measurement id without its campaign: `threema/de-ber/es-mad`. */
function shortId(campaign: string, measurementId: string): string {
  return campaign && measurementId.startsWith(`${campaign}/`) ? measurementId.slice(campaign.length + 1) : measurementId;
}

/** One line: done/total, ok, failed, what runs on each testbed, rate, ETA. */
export function renderProgressLine(p: CampaignProgress, o: ProgressLineOptions): string {
  if (p.state === 'planning') {
    const line = `${o.tty ? '' : `[+${formatDuration(o.elapsedSeconds)}] `}${p.campaign || 'campaign'} planning: loading ${p.config} and expanding the plan`;
    return o.tty && line.length > (o.width ?? 100) - 1 ? `${line.slice(0, Math.max(0, (o.width ?? 100) - 2))}~` : line;
  }
  const percent = p.total > 0 ? Math.floor((100 * p.finished) / p.total) : 100;
  const counts = `${p.finished}/${p.total} (${percent}%) ok ${p.ok} failed ${p.failed}${p.skipped ? ` skipped ${p.skipped}` : ''}`;
  const state = p.state === 'running' ? '' : ` ${p.state}`;
  const testbeds = p.testbeds.map((t) => `${t.id} ${t.next}/${t.total} ${t.running ? shortId(p.campaign, t.running) : 'idle'}`);
  const remaining = p.total - p.finished;
  let speed: string;
  if (remaining === 0) speed = `done in ${formatDuration(o.elapsedSeconds)}`;
  else if (o.ratePerMinute === null || o.ratePerMinute <= 0) speed = `elapsed ${formatDuration(o.elapsedSeconds)}, ETA ?`;
  else speed = `${o.ratePerMinute.toFixed(1)}/min, ETA ${formatDuration(o.etaSeconds ?? (remaining / o.ratePerMinute) * 60)}`;
  if (!o.tty) {
    return `[+${formatDuration(o.elapsedSeconds)}] ${p.campaign}${state}: ${counts}; ${[...testbeds, speed].join('; ')}`;
  }
  const line = `${bar(p.total > 0 ? p.finished / p.total : 1, o.barCells ?? 20)} ${p.campaign}${state} ${counts} | ${testbeds.join(' | ')} | ${speed}`;
  const width = o.width ?? 100;
  return line.length <= width - 1 ? line : `${line.slice(0, Math.max(0, width - 2))}~`;
}

/** Finished-per-minute from samples over a sliding window (default 5 minutes). */
export class RateEstimator {
  private readonly samples: Array<{ at: number; finished: number }> = [];
  constructor(private readonly windowMs = 5 * 60_000) {}

  add(atMs: number, finished: number): void {
    this.samples.push({ at: atMs, finished });
    while (this.samples.length > 2 && atMs - this.samples[1].at >= this.windowMs) this.samples.shift();
  }

  /** Null until something finished within the window and at least 2 s passed. */
  perMinute(): number | null {
    if (this.samples.length < 2) return null;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const ms = last.at - first.at;
    const done = last.finished - first.finished;
    if (ms < 2000 || done <= 0) return null;
    return (done * 60_000) / ms;
  }
}

export interface FollowOptions {
  query: () => Promise<CampaignProgress>;
  /** Settles when the campaign ends (its result or failure); the loop stops then. */
  done: Promise<unknown>;
  out: { write(text: string): unknown };
  tty: boolean;
  width?: () => number | undefined;
  /** Poll interval (default 1 s on a TTY, 2 s otherwise). */
  pollMs?: number;
  /** When the caller started the campaign (now()'s clock); absent when it follows one already running. */
  campaignStartedAtMs?: number;
  /** Non-TTY: at most one line this often (default 10 s). */
  lineEveryMs?: number;
  now?: () => number;
}

/**
 * Polls the progress query until `done` settles. A query that fails (no worker polling for a
 * moment) is reported on the line and retried; it never ends the loop.
 */
export async function followProgress(o: FollowOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const started = now();
  const rate = new RateEstimator();
  const lanes = new LaneEstimator({ startedAtMs: o.campaignStartedAtMs });
  const pollMs = o.pollMs ?? (o.tty ? 1000 : 2000);
  const lineEveryMs = o.lineEveryMs ?? 10_000;
  let finished = false;
  void o.done.then(
    () => (finished = true),
    () => (finished = true),
  );
  let lastLineAt = -Infinity;
  let lastLine = '';
  let drawn = false;
  const draw = (line: string, force: boolean): void => {
    if (o.tty) {
      o.out.write(`\r${line}\x1b[K`);
      drawn = true;
    } else if (force || now() - lastLineAt >= lineEveryMs) {
      if (line !== lastLine || now() - lastLineAt >= lineEveryMs) o.out.write(`${line}\n`);
      lastLineAt = now();
      lastLine = line;
    }
  };
  const once = async (force: boolean): Promise<void> => {
    try {
      const p = await o.query();
      rate.add(now(), p.finished);
      lanes.add(now(), p);
      // The lanes' estimate once a measurement was timed on one (campaign-eta.ts), else the rate's.
      const eta = lanes.etaSeconds(now(), p);
      const ratePerMinute = (eta !== null ? lanes.perMinute(p) : null) ?? rate.perMinute();
      draw(renderProgressLine(p, { elapsedSeconds: (now() - started) / 1000, ratePerMinute, etaSeconds: eta, tty: o.tty, width: o.width?.() }), force);
    } catch (err) {
      if (!force) draw(`progress query failed (${(err as Error).message.split('\n')[0]}); retrying`, false);
    }
  };
  while (!finished) {
    await once(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      o.done.then(wake, wake);
    });
  }
  await once(true); // the final state (the query still answers right after the workflow closed)
  if (o.tty && drawn) o.out.write('\n');
}
