/**
 * One long-lived `sh` inside a virtual phone's network namespace (`nsenter --net`), through
 * which the phone's own network commands run: its firewall (`iptables`, `ip6tables`) and its
 * WLAN (`ip`, `sysctl`). Why: a command spawned from the phone daemon costs a fork of a large
 * Node process plus an `nsenter` exec, about 5 ms of CPU; through this shell it is one fork of
 * a small `sh`, about 1.5 ms, and a measurement runs ~110 of them on its two phones (measured
 * in README "Where a measurement's time goes").
 *
 * Commands run one at a time, each with its argv quoted for the shell and stdin from /dev/null;
 * stdout, stderr and the exit code come back as from execFile. A command that outlives its
 * timeout takes the shell with it (the whole process group is killed) and the next command
 * starts a new one. `close()` ends the shell; so does the daemon's exit (the shell reads EOF).
 */
import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import { shellCommand } from '../../drivers/shell-quote';

export interface ExecOutcome {
  stdout: string;
  stderr: string;
  code: number;
}

interface Pending {
  marker: string;
  resolve: (o: ExecOutcome) => void;
}

interface Shell {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  pending: Pending | null;
  exited: boolean;
}

export class NetnsShell {
  private shell: Shell | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** `netnsPath`: a namespace file, e.g. /run/netns/NAME. */
  constructor(private readonly netnsPath: string) {}

  /** Runs argv in the namespace; a non-zero exit, a timeout or a dead shell is an outcome, not an exception. */
  run(argv: string[], timeoutMs = 15_000): Promise<ExecOutcome> {
    if (argv.length === 0) return Promise.resolve({ stdout: '', stderr: 'empty command', code: 127 });
    const next = this.queue.then(() => this.runNow(argv, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    const s = this.shell;
    this.shell = null;
    if (!s || s.exited) return;
    const gone = new Promise<void>((resolve) => s.child.once('exit', () => resolve()));
    s.child.stdin?.end();
    const kill = setTimeout(() => killGroup(s.child), 2000);
    await gone;
    clearTimeout(kill);
  }

  private start(): Shell {
    // Its own process group, so a timed-out command dies with its shell. The operands after -s
    // only name it in `ps` (and put it with the virtual phones in bench/profile/cpu.ts).
    const child = spawn('nsenter', [`--net=${this.netnsPath}`, 'sh', '-s', 'testbed/phone/netns-shell', this.netnsPath], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const s: Shell = { child, stdout: '', stderr: '', pending: null, exited: false };
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      s.stdout += d;
      this.settle(s);
    });
    child.stderr?.on('data', (d: string) => {
      s.stderr += d;
      this.settle(s);
    });
    child.stdin?.on('error', () => undefined);
    const onGone = (why: string): void => {
      if (s.exited) return;
      s.exited = true;
      if (this.shell === s) this.shell = null;
      const p = s.pending;
      s.pending = null;
      p?.resolve({ stdout: s.stdout, stderr: `${s.stderr}${why}`, code: 126 });
    };
    child.on('error', (err) => onGone(`shell in ${this.netnsPath} failed: ${err.message}`));
    child.on('exit', (code, signal) => onGone(`shell in ${this.netnsPath} exited (${signal ?? `code ${code}`})`));
    return s;
  }

  /** Both streams carry the command's end marker: the answer is complete. */
  private settle(s: Shell): void {
    const p = s.pending;
    if (!p) return;
    const out = new RegExp(`\\n${p.marker} (\\d+)\\n`).exec(s.stdout);
    const errEnd = s.stderr.indexOf(`\n${p.marker}\n`);
    if (!out || errEnd < 0) return;
    const outcome = { stdout: s.stdout.slice(0, out.index), stderr: s.stderr.slice(0, errEnd), code: Number(out[1]) };
    s.stdout = s.stdout.slice(out.index + out[0].length);
    s.stderr = s.stderr.slice(errEnd + p.marker.length + 2);
    s.pending = null;
    p.resolve(outcome);
  }

  private runNow(argv: string[], timeoutMs: number): Promise<ExecOutcome> {
    if (this.closed) return Promise.resolve({ stdout: '', stderr: `shell in ${this.netnsPath} is closed`, code: 126 });
    let command: string;
    try {
      command = shellCommand(argv);
    } catch (err) {
      return Promise.resolve({ stdout: '', stderr: (err as Error).message, code: 2 });
    }
    const s = this.shell && !this.shell.exited ? this.shell : (this.shell = this.start());
    const marker = `@@netns-shell-end-${randomBytes(8).toString('hex')}`;
    return new Promise<ExecOutcome>((resolve) => {
      const timer = setTimeout(() => {
        if (s.pending?.marker !== marker) return;
        s.pending = null;
        if (this.shell === s) this.shell = null;
        killGroup(s.child);
        resolve({ stdout: s.stdout, stderr: `${s.stderr}${argv[0]}: timed out after ${timeoutMs} ms`, code: 124 });
      }, timeoutMs);
      s.pending = {
        marker,
        resolve: (o) => {
          clearTimeout(timer);
          resolve(o);
        },
      };
      // The markers start on a line of their own whether or not the output ends with a newline.
      s.child.stdin?.write(`${command} </dev/null; printf '\\n%s %d\\n' '${marker}' "$?"; printf '\\n%s\\n' '${marker}' >&2\n`);
    });
  }
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}
