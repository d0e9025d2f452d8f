import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cmdlineOf, pidsFromFiles, writePidFile } from './processes';

describe('pid files (testbed down kills only what the world started)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mt-pids-test-'));
    fs.mkdirSync(path.join(dir, 'pids'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names a pid only while it runs the recorded command', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      await new Promise((r) => setTimeout(r, 100));
      writePidFile(path.join(dir, 'pids', 'ours.pid'), pid, ['sleep', '30']);
      expect(pidsFromFiles(dir)).toEqual([pid]);
      // `ip netns exec NS prog` execs in place: the recorded prog argv is a suffix of the launcher's.
      writePidFile(path.join(dir, 'pids', 'ours.pid'), pid, ['ip', 'netns', 'exec', 'mt-x', 'sleep', '30']);
      expect(pidsFromFiles(dir)).toEqual([pid]);
      // A stale file whose pid now runs something else (here: this test's node process) is left alone.
      writePidFile(path.join(dir, 'pids', 'ours.pid'), process.pid, ['sleep', '30']);
      expect(pidsFromFiles(dir)).toEqual([]);
      // An old-style file (pid only) names nothing: down's namespace and directory scans remain.
      fs.writeFileSync(path.join(dir, 'pids', 'ours.pid'), `${pid}\n`);
      expect(pidsFromFiles(dir)).toEqual([]);
      // By default the process's own command line is recorded.
      writePidFile(path.join(dir, 'pids', 'ours.pid'), pid);
      expect(cmdlineOf(pid)).toEqual(['sleep', '30']);
      expect(pidsFromFiles(dir)).toEqual([pid]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
