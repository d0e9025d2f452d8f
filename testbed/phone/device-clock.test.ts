/**
 * The virtual phone's wall clock keeps to the host's, as an NTP-synced phone keeps to network
 * time: a step of the host's clock (a virtual machine resumed after a pause) must not turn into a
 * clock skew the phone does not have; the clock-skew fault's offset still applies on top.
 */
import { VirtualDevice } from './device';

test("now() follows a step of the host's wall clock and keeps sub-millisecond precision", () => {
  const phone = Object.create(VirtualDevice.prototype) as VirtualDevice;
  Object.assign(phone, { faults: { clockOffsetMs: 0 }, wallAnchorMs: 0 });
  const realNow = Date.now;
  try {
    expect(Math.abs(phone.now() - Date.now())).toBeLessThanOrEqual(2);
    const stepped = realNow() + 10_204; // the host's clock jumps ahead by 10.2 s, the monotonic one does not
    Date.now = () => stepped;
    expect(phone.now()).toBe(stepped);
    Date.now = realNow;
    const back = phone.now();
    expect(Math.abs(back - realNow())).toBeLessThanOrEqual(2);
    const later = Array.from({ length: 5 }, () => phone.now());
    expect(later.some((t) => !Number.isInteger(t))).toBe(true);
    (phone as unknown as { faults: { clockOffsetMs: number } }).faults.clockOffsetMs = 5_000;
    expect(Math.abs(phone.now() - realNow() - 5_000)).toBeLessThanOrEqual(2);
  } finally {
    Date.now = realNow;
  }
});
