import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NetnsShell } from './netns-shell';

// The host's own namespace: what is tested is the shell protocol, not the namespace.
const HOST_NETNS = `/proc/${process.pid}/ns/net`;

/** Running: exists and is not a zombie waiting for a reaper outside this test's control. */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('NetnsShell', () => {
  let shell: NetnsShell;
  beforeEach(() => {
    shell = new NetnsShell(HOST_NETNS);
  });
  afterEach(async () => {
    await shell.close();
  });

  it('returns stdout, stderr and the exit code as execFile would', async () => {
    expect(await shell.run(['sh', '-c', 'echo out; echo err >&2; exit 3'])).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3 });
    expect(await shell.run(['printf', 'no newline'])).toEqual({ stdout: 'no newline', stderr: '', code: 0 });
    expect(await shell.run(['printf', '\n\n'])).toEqual({ stdout: '\n\n', stderr: '', code: 0 });
  });

  it('passes hostile arguments as data, never as shell text', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-shell-'));
    const canary = path.join(dir, 'ran');
    const args = [`$(touch ${canary})`, "a'b", 'two words', 'line\nbreak', '`id`', '; exit 7'];
    try {
      const r = await shell.run(['printf', '%s|', ...args]);
      expect(r).toEqual({ stdout: `${args.join('|')}|`, stderr: '', code: 0 });
      expect(fs.existsSync(canary)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs concurrent callers one at a time, each getting its own answer', async () => {
    const runs = await Promise.all([1, 2, 3, 4, 5].map((n) => shell.run(['sh', '-c', `sleep 0.0${n}; echo ${n}; echo e${n} >&2; exit ${n}`])));
    expect(runs).toEqual([1, 2, 3, 4, 5].map((n) => ({ stdout: `${n}\n`, stderr: `e${n}\n`, code: n })));
  });

  it('does not let a command read the shell’s own input', async () => {
    expect(await shell.run(['cat'])).toEqual({ stdout: '', stderr: '', code: 0 });
    expect((await shell.run(['echo', 'still here'])).stdout).toBe('still here\n');
  });

  it('refuses an argument with a NUL byte as an outcome, running nothing', async () => {
    const r = await shell.run(['printf', 'a\0b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NUL/);
  });

  it('reports a missing program as exit 127', async () => {
    const r = await shell.run(['no-such-program-matador']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/not found/);
  });

  it('kills a command that outlives its timeout, with its shell, and starts a new shell for the next', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-shell-'));
    const pidFile = path.join(dir, 'pid');
    try {
      const r = await shell.run(['sh', '-c', `echo $$ > ${pidFile}; exec sleep 30`], 300);
      expect(r.code).toBe(124);
      expect(r.stderr).toMatch(/sh: timed out after 300 ms/);
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      for (let i = 0; i < 50 && alive(pid); i++) await new Promise((res) => setTimeout(res, 20));
      expect(alive(pid)).toBe(false);
      expect(await shell.run(['echo', 'next'])).toEqual({ stdout: 'next\n', stderr: '', code: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no process behind after close and refuses commands then', async () => {
    const r = await shell.run(['sh', '-c', 'echo $PPID']);
    const shellPid = Number(r.stdout.trim());
    expect(alive(shellPid)).toBe(true);
    await shell.close();
    expect(alive(shellPid)).toBe(false);
    expect((await shell.run(['echo', 'x'])).code).toBe(126);
  });

  it('answers a failed start as an outcome', async () => {
    const broken = new NetnsShell('/nonexistent/netns');
    const r = await broken.run(['echo', 'x']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nonexistent/);
    await broken.close();
  });
});
