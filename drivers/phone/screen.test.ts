import { lockIndicatorsOf, policyDumpKnowsLock, screenPowerOf } from './screen';

// Excerpts of real dumps: Android 5.0 (Lollipop) power and window policy, 4.4's mScreenOn, 10's keyguard delegate.
const POWER_5_ON = 'Power Manager State:\n  mDirty=0x0\n  mWakefulness=Awake\n  mWakefulnessChanging=false\n\nDisplay Power: state=ON\n';
const POWER_5_OFF = 'Power Manager State:\n  mWakefulness=Asleep\n\nDisplay Power: state=OFF\n';
const POWER_5_DOZE = '  mWakefulness=Dozing\nDisplay Power: state=DOZE\n';
const POWER_4 = 'Power Manager State:\n  mWakefulness=Awake\n  mScreenOn=false\n';
const POLICY_5_UNLOCKED =
  '    mStatusBar=Window{3c5d9a8 u0 StatusBar} isStatusBarKeyguard=false\n    mShowingLockscreen=false mShowingDream=false mDreamingLockscreen=false\n';
const POLICY_5_LOCKED =
  '    mStatusBar=Window{3c5d9a8 u0 StatusBar} isStatusBarKeyguard=true\n    mShowingLockscreen=true mShowingDream=false mDreamingLockscreen=false\n';
const POLICY_10_LOCKED = '    KeyguardServiceDelegate\n      showing=true\n      showingAndNotOccluded=true\n      secure=true\n';

test('screen power: the display state first, then mScreenOn (4.x), then wakefulness', () => {
  expect(screenPowerOf(POWER_5_ON)).toBe('on');
  expect(screenPowerOf(POWER_5_OFF)).toBe('off');
  expect(screenPowerOf(POWER_5_DOZE)).toBe('off');
  expect(screenPowerOf(POWER_4)).toBe('off');
  expect(screenPowerOf('  mWakefulness=Awake\n')).toBe('on');
  expect(screenPowerOf("Can't find service: power\n")).toBe('unknown');
});

test('lock indicators: every field that says the keyguard is up, none when unlocked', () => {
  expect(lockIndicatorsOf(POLICY_5_UNLOCKED)).toEqual([]);
  expect(lockIndicatorsOf(POLICY_5_LOCKED)).toEqual(['mShowingLockscreen=true', 'isStatusBarKeyguard=true']);
  expect(lockIndicatorsOf('mShowingLockscreen=false mShowingDream=true mDreamingLockscreen=true')).toEqual(['mDreamingLockscreen=true']);
  expect(lockIndicatorsOf(POLICY_10_LOCKED)).toEqual(['KeyguardServiceDelegate showing=true']);
});

test('a policy dump without keyguard fields cannot tell', () => {
  expect(policyDumpKnowsLock(POLICY_5_UNLOCKED)).toBe(true);
  expect(policyDumpKnowsLock(POLICY_10_LOCKED)).toBe(true);
  expect(policyDumpKnowsLock('WINDOW MANAGER POLICY STATE (dumpsys window policy)\n    mSafeMode=false\n')).toBe(false);
});
