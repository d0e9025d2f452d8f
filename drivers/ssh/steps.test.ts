import { execFileSync } from 'child_process';
import { cleanupScript, cleanupThenStepsScript, stepsScript } from './steps';

function sh(script: string): { code: number; stdout: string } {
  try {
    return { code: 0, stdout: execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }) };
  } catch (err) {
    const e = err as { status: number; stdout: string };
    return { code: e.status, stdout: e.stdout };
  }
}

describe('step scripts (run locally with /bin/sh)', () => {
  it('runs steps in order and reports the first failing step with its exit code and output', () => {
    const r = sh(stepsScript([['true'], ['sh', '-c', 'echo "bad $0" >&2; exit 3', '$(x)'], ['touch', '/nonexistent-should-not-run']]));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('matador-step-failed 1 3\nbad $(x)\n');
  });

  it('succeeds silently when all steps succeed, with arguments passed verbatim', () => {
    expect(sh(stepsScript([['test', "it's `x`", '=', "it's `x`"], ['true']]))).toEqual({ code: 0, stdout: '' });
  });

  it('cleanup then steps: the cleanup commands may fail (their successes counted first), the steps report as stepsScript does', () => {
    const cleanup = [['sh', '-c', 'echo gone >&2; exit 1'], ['echo', "quiet $(x) `y`"]];
    expect(sh(cleanupThenStepsScript(cleanup, [['true'], ['sh', '-c', 'echo "bad $0"; exit 4', "it's"]]))).toEqual({ code: 1, stdout: "1\nmatador-step-failed 1 4\nbad it's\n" });
    expect(sh(cleanupThenStepsScript(cleanup, [['true']]))).toEqual({ code: 0, stdout: '1\n' });
    expect(sh(cleanupThenStepsScript(cleanup, []))).toEqual({ code: 0, stdout: '1\n' });
    expect(cleanupThenStepsScript([], [['true']])).toBe(stepsScript([['true']]));
  });

  it('cleanup runs every step and counts the successes', () => {
    expect(sh(cleanupScript([['false'], ['true'], ['sh', '-c', 'exit 2'], ['true']]))).toEqual({ code: 0, stdout: '2\n' });
  });
});
