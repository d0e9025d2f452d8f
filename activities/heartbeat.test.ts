import { MockActivityEnvironment } from '@temporalio/testing';
import { heartbeating } from './heartbeat';

describe('heartbeating', () => {
  it('heartbeats while a step runs when the step has a heartbeat timeout, and returns its result', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 600 });
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const step = heartbeating(async (x: number) => {
      await new Promise((r) => setTimeout(r, 700));
      return x * 2;
    });
    expect(await env.run(step, 21)).toBe(42);
    expect(beats).toBeGreaterThan(0);
  });

  it('passes failures through', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 600 });
    const step = heartbeating(async () => {
      throw new Error('adb: device offline');
    });
    await expect(env.run(step)).rejects.toThrow('adb: device offline');
  });
});
