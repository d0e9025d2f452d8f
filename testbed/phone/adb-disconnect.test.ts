import { execFileSync } from 'child_process';
import { freePort } from '../../ops/dev-server';
import { adbDisconnect, adbServerListening } from './index';


describe('adbDisconnect', () => {
  const saved = process.env.ANDROID_ADB_SERVER_PORT;
  afterEach(() => {
    if (saved === undefined) delete process.env.ANDROID_ADB_SERVER_PORT;
    else process.env.ANDROID_ADB_SERVER_PORT = saved;
  });

  it('starts no adb server when none runs (the real adb client would)', async () => {
    const port = await freePort();
    process.env.ANDROID_ADB_SERVER_PORT = String(port);
    expect(await adbServerListening()).toBe(false);
    await adbDisconnect('127.0.0.1:5999');
    expect(await adbServerListening()).toBe(false);
  });

  it('disconnects through a running server, and leaves it running', async () => {
    const port = await freePort();
    process.env.ANDROID_ADB_SERVER_PORT = String(port);
    execFileSync('adb', ['start-server'], { env: process.env, stdio: 'ignore' });
    try {
      expect(await adbServerListening()).toBe(true);
      await adbDisconnect('127.0.0.1:5999');
      expect(await adbServerListening()).toBe(true);
    } finally {
      execFileSync('adb', ['kill-server'], { env: process.env, stdio: 'ignore' });
    }
    expect(await adbServerListening()).toBe(false);
  });
});
