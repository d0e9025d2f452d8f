/**
 * The phone's WLAN inside its network namespace: `svc wifi disable` / airplane mode take the
 * interface down, `svc wifi enable` brings it up again and restores the routes the kernel
 * dropped. The commands run as argv arrays in the phone's namespace shell (netns-shell.ts);
 * nsExec (`ip netns exec`, one process per command) is for tests and one-off commands.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import type { ExecOutcome } from './netns-shell';

const execFileAsync = promisify(execFile);

/** Runs argv in the phone's namespace (NetnsShell.run). */
export type NetnsRun = (argv: string[]) => Promise<ExecOutcome>;

/** Runs a program; a non-zero exit or a spawn error is an outcome, not an exception. */
async function outcomeOf(file: string, args: string[], timeoutMs: number): Promise<ExecOutcome> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number | string; message: string };
    return { stdout: e.stdout ?? '', stderr: e.stderr || e.message, code: typeof e.code === 'number' ? e.code : 1 };
  }
}

export function nsExec(netns: string, argv: string[], timeoutMs = 15_000): Promise<ExecOutcome> {
  return outcomeOf('ip', ['netns', 'exec', netns, ...argv], timeoutMs);
}

interface RouteEntry {
  dst: string;
  gateway?: string;
  dev?: string;
  [k: string]: unknown;
}

export class WlanControl {
  private savedRoutes: { v4: RouteEntry[]; v6: RouteEntry[] } | null = null;
  private up = true;

  constructor(
    private readonly netns: string,
    private readonly run: NetnsRun,
    private readonly iface: () => Promise<string | null>,
  ) {}

  isUp(): boolean {
    return this.up;
  }

  async setUp(want: boolean): Promise<string | null> {
    if (want === this.up) return null;
    const dev = await this.iface();
    if (!dev) return `no WLAN interface in namespace ${this.netns}`;
    if (!want) {
      const v4 = await this.run(['ip', '-j', '-4', 'route', 'show', 'dev', dev]);
      const v6 = await this.run(['ip', '-j', '-6', 'route', 'show', 'dev', dev]);
      this.savedRoutes = { v4: parseRoutes(v4.stdout), v6: parseRoutes(v6.stdout) };
      await this.run(['sysctl', '-q', '-w', `net.ipv6.conf.${dev}.keep_addr_on_down=1`]);
      const r = await this.run(['ip', 'link', 'set', 'dev', dev, 'down']);
      if (r.code !== 0) return r.stderr.trim();
      this.up = false;
      return null;
    }
    const r = await this.run(['ip', 'link', 'set', 'dev', dev, 'up']);
    if (r.code !== 0) return r.stderr.trim();
    this.up = true;
    const saved = this.savedRoutes;
    this.savedRoutes = null;
    for (const [family, routes] of [['-4', saved?.v4 ?? []], ['-6', saved?.v6 ?? []]] as const) {
      for (const route of routes) {
        if (route.protocol === 'kernel' || String(route.dst).startsWith('fe80')) continue;
        const argv = ['ip', family, 'route', 'replace', route.dst];
        if (route.gateway) argv.push('via', route.gateway);
        argv.push('dev', dev);
        if (route.metric !== undefined) argv.push('metric', String(route.metric));
        await this.run(argv);
      }
    }
    return null;
  }
}

function parseRoutes(json: string): RouteEntry[] {
  try {
    const parsed = JSON.parse(json || '[]') as RouteEntry[];
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/** The first non-loopback interface of the namespace (the phone's "wlan0"). */
export async function firstInterface(run: NetnsRun): Promise<string | null> {
  const r = await run(['ip', '-j', 'link', 'show']);
  try {
    const links = JSON.parse(r.stdout) as Array<{ ifname: string }>;
    return links.map((l) => l.ifname).find((n) => n !== 'lo') ?? null;
  } catch {
    return null;
  }
}
