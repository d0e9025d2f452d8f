/**
 * The virtual phone's screen power and keyguard, as Android 5.0.2 has them: the screen is on or
 * off, the keyguard is up or not, with or without a secret (PIN). Key events act as on a real
 * phone: POWER (26) toggles the screen, and turning it off brings the keyguard up; WAKEUP (224)
 * turns it on, SLEEP (223) off; MENU (82) dismisses a keyguard without a secret. While the
 * screen is off or the keyguard is up, taps, typed text and other keys never reach the app.
 * `dumpsys power` and `dumpsys window policy` print the state in Lollipop's formats
 * (PowerManagerService.dumpInternal, PhoneWindowManager.dump; fields the driver does not read
 * are a representative subset with plausible values).
 *
 * Not reproduced: the screen-off timeout (the lab sets Stay awake; the screen goes off only
 * by a key or a fault), dreams/daydream, the keyguard's own UI beyond one node in the dump
 * (screencap shows the app behind it; a dark screen is a black frame), and unlocking by
 * entering the PIN.
 */
import type { UiNode } from './ui';

const KEYCODE_POWER = 26;
const KEYCODE_MENU = 82;
const KEYCODE_SLEEP = 223;
const KEYCODE_WAKEUP = 224;

export class ScreenPower {
  on = true;
  /** Keyguard shown. */
  locked = false;
  /** The keyguard needs a PIN (MENU cannot dismiss it). */
  secure = false;
  /** The lock screen comes up whenever the screen goes off (a phone with a lock screen set). */
  lockOnSleep = false;
  private lastWake = Date.now();
  private lastSleep = 0;

  /** Whether taps, text and keys other than the power keys reach the app. */
  reachesApp(): boolean {
    return this.on && !this.locked;
  }

  /** A key event: true when the power/keyguard logic consumed it. */
  key(code: number): boolean {
    if (code === KEYCODE_POWER) {
      this.setOn(!this.on);
      return true;
    }
    if (code === KEYCODE_WAKEUP || code === KEYCODE_SLEEP) {
      this.setOn(code === KEYCODE_WAKEUP);
      return true;
    }
    if (code === KEYCODE_MENU && this.on && this.locked) {
      if (!this.secure) this.locked = false;
      return true;
    }
    return !this.reachesApp(); // a dark or locked screen swallows every other key
  }

  setOn(on: boolean): void {
    if (on === this.on) return;
    this.on = on;
    if (on) this.lastWake = Date.now();
    else {
      this.lastSleep = Date.now();
      if (this.lockOnSleep) this.locked = true;
    }
  }

  /** The world fault `screen-locked`: off, with a keyguard (secure = with a PIN). */
  lock(secure: boolean): void {
    this.lockOnSleep = true;
    this.secure = secure;
    this.setOn(false);
    this.locked = true;
  }

  /** Clearing the fault: no lock screen set, screen on. */
  unlock(): void {
    this.lockOnSleep = false;
    this.secure = false;
    this.locked = false;
    this.setOn(true);
  }

  /** `dumpsys power` (Android 5.0: "Display Power: state=ON|OFF", mWakefulness=Awake|Asleep). */
  dumpsysPower(): string {
    const now = Date.now();
    const ago = (t: number) => `${t ? Math.max(0, now - t) : 0} ms ago`;
    return [
      'POWER MANAGER (dumpsys power)',
      '',
      'Power Manager State:',
      '  mDirty=0x0',
      `  mWakefulness=${this.on ? 'Awake' : 'Asleep'}`,
      '  mWakefulnessChanging=false',
      '  mIsPowered=true',
      '  mPlugType=2',
      '  mBatteryLevel=100',
      '  mStayOn=false',
      '  mProximityPositive=false',
      '  mBootCompleted=true',
      '  mSystemReady=true',
      `  mHalInteractiveModeEnabled=${this.on}`,
      '  mWakeLockSummary=0x0',
      `  mUserActivitySummary=0x${this.on ? 1 : 0}`,
      '  mLowPowerModeEnabled=false',
      `  mLastWakeTime=${this.lastWake} (${ago(this.lastWake)})`,
      `  mLastSleepTime=${this.lastSleep} (${ago(this.lastSleep)})`,
      '  mDisplayReady=true',
      `  mHoldingDisplaySuspendBlocker=${this.on}`,
      '',
      'Settings and Configuration:',
      '  mStayOnWhilePluggedInSetting=0',
      '  mScreenOffTimeoutSetting=600000',
      '',
      'Screen off timeout: 600000 ms',
      'Screen dim duration: 7000 ms',
      '',
      'Wake Locks: size=0',
      '',
      'Suspend Blockers: size=4',
      '  PowerManagerService.WakeLocks: ref count=0',
      `  PowerManagerService.Display: ref count=${this.on ? 1 : 0}`,
      '  PowerManagerService.Broadcasts: ref count=0',
      '  PowerManagerService.WirelessChargerDetector: ref count=0',
      '',
      `Display Power: state=${this.on ? 'ON' : 'OFF'}`,
      '',
    ].join('\n');
  }

  /** `dumpsys window policy` (PhoneWindowManager.dump, Android 5.0). */
  dumpsysWindowPolicy(): string {
    return [
      'WINDOW MANAGER POLICY STATE (dumpsys window policy)',
      '    mSafeMode=false mSystemReady=true mSystemBooted=true',
      '    mLidState=-1 mLidOpenRotation=-1 mCameraLensCoverState=-1 mHdmiPlugged=false',
      '    mLastSystemUiFlags=0x0 mResettingSystemUiFlags=0x0 mForceClearedSystemUiFlags=0x0',
      '    mUiMode=1 mDockMode=0 mCarDockRotation=-1 mDeskDockRotation=-1',
      '    mUserRotationMode=0 mUserRotation=0 mAllowAllRotations=0',
      '    mShortPressOnPowerBehavior=1 mLongPressOnPowerBehavior=1',
      '    mHasSoftInput=true',
      `    mAwake=${this.on}`,
      `    mScreenOnEarly=${this.on} mScreenOnFully=${this.on}`,
      '    mKeyguardDrawComplete=true mWindowManagerDrawComplete=true',
      `    mStatusBar=Window{3c5d9a8 u0 StatusBar} isStatusBarKeyguard=${this.locked}`,
      `    mShowingLockscreen=${this.locked} mShowingDream=false mDreamingLockscreen=false`,
      '    mTopFullscreenOpaqueWindowState=null',
      '',
    ].join('\n');
  }

  /** What `uiautomator dump` shows while the keyguard is up (Android 5's keyguard lives in SystemUI). */
  keyguardNode(bounds: UiNode['bounds']): UiNode {
    const pkg = 'com.android.systemui';
    const hint: UiNode = {
      cls: this.secure ? 'android.widget.EditText' : 'android.widget.TextView',
      pkg,
      text: '',
      resourceId: this.secure ? `${pkg}:id/pinEntry` : `${pkg}:id/keyguard_message_area`,
      contentDesc: this.secure ? 'PIN area' : 'Swipe to unlock',
      bounds: [40, 600, bounds[2] - 40, 680],
      clickable: this.secure,
      focusable: this.secure,
      focused: this.secure,
      children: [],
    };
    return { cls: 'android.widget.FrameLayout', pkg, text: '', resourceId: `${pkg}:id/keyguard_host_view`, contentDesc: '', bounds, clickable: false, focusable: false, focused: false, children: [hint] };
  }
}
