/**
 * Driver instrumentation shared by the profile benches (bench/steps/profile.ts without Temporal,
 * bench/profile/run.ts with it): every adb and SSH round trip, timed by wrapping the driver
 * classes' methods in this process only (nothing is changed on disk or in the drivers), handed
 * to the sink the caller has for the moment (null: not recorded).
 *   adb        AdbDevice.shell / pull / transportFeatures
 *   ssh        SshSession.run / getFile, NodeSSH.connect
 *   traceroute SshSession.run of scamper or traceroute (the probing, as seen from the worker)
 *   phone      PhoneDriver.runStep / screenshot / look / measureClock: composite (adb round
 *              trips plus the driver's own waits), listed but not a category of its own
 */
import * as path from 'path';
import { performance } from 'perf_hooks';
import { NodeSSH } from 'node-ssh';
import { AdbDevice } from '../../drivers/phone/adb-device';
import { PhoneDriver } from '../../drivers/phone';
import { SshSession } from '../../drivers/ssh/session';

import { isTracerouteArgv, type Op, type OpKind, type OpSink } from './split';

export type { Op, OpKind, OpSink };

function wrap<T extends object>(proto: T, method: string, kind: (args: unknown[]) => OpKind, label: (args: unknown[]) => string, sink: () => OpSink | null): void {
  const rec = proto as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const original = rec[method];
  rec[method] = async function (this: unknown, ...args: unknown[]) {
    const to = sink();
    const start = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      to?.({ label: label(args), kind: kind(args), start, end: performance.now() });
    }
  };
}

function sshRunLabel(argv: string[]): string {
  if (argv[0] === 'sh' && argv[1] === '-c') return `ssh script ${/kill -INT/.test(argv[2]) ? 'capture-stop' : /tcpdump -i/.test(argv[2]) ? 'capture-start' : 'sh'}`;
  return `ssh run ${argv[0]}`;
}

let installed = false;

/** Wraps the driver methods once per process; `sink()` is asked at the start of each call. */
export function instrumentDrivers(sink: () => OpSink | null): void {
  if (installed) throw new Error('instrumentDrivers: already installed in this process');
  installed = true;
  const adb = (): OpKind => 'adb';
  const phone = (): OpKind => 'phone';
  const ssh = (): OpKind => 'ssh';
  wrap(AdbDevice.prototype, 'shell', adb, (a) => `adb shell ${String(a[0]).split(' ').slice(0, 2).join(' ').slice(0, 40)}`, sink);
  wrap(AdbDevice.prototype, 'pull', adb, (a) => `adb pull ${path.posix.basename(String(a[0]))}`, sink);
  wrap(AdbDevice.prototype, 'transportFeatures', adb, () => 'adb features', sink);
  wrap(PhoneDriver.prototype, 'runStep', phone, (a) => `ui step ${(a[0] as { action: string }).action}`, sink);
  wrap(PhoneDriver.prototype, 'screenshot', phone, () => 'phone screenshot', sink);
  wrap(PhoneDriver.prototype, 'look', phone, (a) => `phone look${(a[0] as { notifications: boolean }).notifications ? ' +notifications' : ''}`, sink);
  wrap(PhoneDriver.prototype, 'measureClock', phone, () => 'phone measureClock', sink);
  wrap(SshSession.prototype, 'run', (a) => (isTracerouteArgv(a[0] as string[]) ? 'traceroute' : 'ssh'), (a) => sshRunLabel(a[0] as string[]), sink);
  wrap(SshSession.prototype, 'getFile', ssh, () => 'sftp get', sink);
  wrap(NodeSSH.prototype, 'connect', ssh, () => 'ssh connect', sink);
}

/**
 * Timers that fire (setTimeout) while a sink is current: the drivers' and steps' poll intervals
 * and UI waits ('polling'). A timer that is cleared before it fires (a timeout that did not
 * strike) is no wait and is not recorded.
 */
export function instrumentSleeps(sink: () => OpSink | null): void {
  const original = globalThis.setTimeout;
  const patched = function (this: unknown, callback: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) {
    const to = sink();
    if (!to || typeof callback !== 'function') return original(callback, ms, ...rest);
    const start = performance.now();
    return original(
      (...a: unknown[]) => {
        to({ label: 'sleep', kind: 'polling', start, end: performance.now() });
        callback(...a);
      },
      ms,
      ...rest,
    );
  };
  globalThis.setTimeout = Object.assign(patched, original) as typeof setTimeout;
}
