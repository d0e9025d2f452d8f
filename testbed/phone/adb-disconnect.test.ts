import { execFileSync } from 'child_process';
import * as net from 'net';
import { adbDisconnect, adbServerListening } from './index';

/** A port nothing listens on (taken and released). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

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
