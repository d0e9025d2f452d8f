/**
 * `matador.app/v1`: everything app-specific of a measurement (paper section 3.1, "Experiment
 * Parametrization"): which Android package, the message text and count, the messaging timers of
 * the paper's Fig. 2, who sends each message, the UI steps that drive the app over ADB, and the
 * black/whitelists that separate the service's flows from background noise (section 4).
 */
import { z } from 'zod';
import { cidr, expected, hostPattern, id, LIMITS, list, literal, num, oneOf, port, seconds, str, strict } from './fields';

export const APP_SCHEMA = 'matador.app/v1';

/** Variables a UI step or the message text may use as `${name}`. */
export const TEMPLATE_VARIABLES = ['message', 'index', 'count', 'side', 'peer'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
/** The message text is the value of `${message}`, so it may not refer to itself. */
const MESSAGE_TEXT_VARIABLES: readonly TemplateVariable[] = ['index', 'count', 'side', 'peer'];

function templated(what: string, allowed: readonly string[]) {
  const error = expected(`${what}; variables: ${allowed.map((v) => '${' + v + '}').join(' ')}`);
  return z
    .string({ error })
    .min(1, { error })
    .refine((text) => templateVariables(text).every((v) => allowed.includes(v)), { error });
}

/** Names used as `${name}` in a text (also malformed ones like `${}`, so they are reported). */
export function templateVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
}

/** Screenshot names become file names: a safe character set, variables allowed (`sent-${index}`). */
function screenshotName() {
  const error = expected('a file name of letters, digits, "-", "_", "." (variables: ${index} ${side})');
  return z
    .string({ error })
    .regex(/^[A-Za-z0-9]([A-Za-z0-9._-]|\$\{(index|side)\})*$/, { error });
}

/** An Android activity class as `am start -n pkg/ACTIVITY` takes it: Java identifiers joined by
 *  dots, optionally starting with "." (relative to the package). `$` is legal (inner classes);
 *  anything else (";", spaces, quotes) would reach the phone's shell. */
export const ACTIVITY_PATTERN = /^\.?[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;
const activityName = () =>
  str('an activity class name (Java identifiers joined by ".", optionally starting with "."; e.g. ".Main" or "com.whatsapp.Main")', ACTIVITY_PATTERN).max(255, {
    error: expected('an activity class name of at most 255 characters'),
  });

const side = () => oneOf(['A', 'B'] as const);
const protocol = () => oneOf(['tcp', 'udp'] as const);

export const portSpecSchema = strict({
  protocol: protocol(),
  port: port(),
  note: str('a note').optional(),
});

/** Fig. 2 of the paper: the phases of one message exchange, in seconds. */
export const timersSchema = strict({
  /** after both apps are up and the capture runs, before the first message (login, sync noise) */
  beforeFirstMessageSec: seconds(),
  /** between two consecutive messages (lets time correlation tell messages apart) */
  betweenMessagesSec: seconds(),
  /** after the last message until the apps are stopped (delivery receipts) */
  afterLastMessageSec: seconds(),
  /** after the apps are stopped until the capture stops (late retransmissions, FIN/RST) */
  captureTailSec: seconds(),
});

/** A UI step executed over ADB on the sending (or both) phone(s). */
const stepSchemas = [
  strict({ action: literal('start-app'), activity: activityName().optional() }),
  strict({ action: literal('stop-app') }),
  strict({
    action: literal('tap'),
    /** resource-id (`com.whatsapp:id/send`) or visible text of the element */
    element: templated('a resource-id or the visible text of an element', TEMPLATE_VARIABLES),
    timeoutSec: seconds().optional(),
  }),
  strict({ action: literal('input-text'), text: templated('a text to type', TEMPLATE_VARIABLES) }),
  strict({ action: literal('keyevent'), key: num({ int: true, min: 0, max: 400 }, 'an Android key code (e.g. 66 = ENTER)') }),
  strict({ action: literal('wait'), seconds: seconds() }),
  strict({ action: literal('screenshot'), name: screenshotName() }),
] as const;
export const STEP_ACTIONS = ['start-app', 'stop-app', 'tap', 'input-text', 'keyevent', 'wait', 'screenshot'] as const;
export const uiStepSchema = z.discriminatedUnion('action', [...stepSchemas], {
  error: expected(`a step with action one of ${STEP_ACTIONS.map((a) => JSON.stringify(a)).join(', ')}`),
});

/** How the app shows a message (read from `uiautomator dump` and `dumpsys notification`). */
const resourceId = () => str('a resource id (e.g. "com.whatsapp:id/message_text")', /^[A-Za-z][A-Za-z0-9_.]*:id\/[A-Za-z0-9_]+$/);
export const chatObserveSchema = strict({
  /** the view holding a message's text inside a bubble */
  messageTextId: resourceId(),
  /** an outgoing bubble carries the status view (`status-view`), or sits on the right (`right-side`) */
  outgoingBy: oneOf(['status-view', 'right-side'] as const),
  /** the bubble's sent/delivered marker view (its content-desc, else text, is the status) */
  statusId: resourceId().optional(),
  /** status values meaning the server has the message (a pending clock is not one of them) */
  sentMarkers: list(str('a status content-desc (e.g. "Sent")'), { what: 'a list of status values' }).default([]),
  notification: strict({
    /** the package posting the app's notifications (default: android.package) */
    package: str('an Android package name', /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/).optional(),
    /** a regular expression the notification title must match where Android shows it (6+) */
    titlePattern: str('a regular expression').refine((v) => {
      try {
        new RegExp(v);
        return true;
      } catch {
        return false;
      }
    }, { error: expected('a valid regular expression') }).optional(),
  }).default({}),
});

export const scheduleSchema = z.discriminatedUnion(
  'pattern',
  [
    strict({ pattern: literal('alternate'), firstSender: side() }),
    strict({ pattern: literal('explicit'), senders: list(side(), { min: 1, what: 'a list of senders ("A" or "B")' }) }),
  ],
  { error: expected('a schedule with pattern "alternate" or "explicit"') },
);

const hostList = () => list(hostPattern(), { what: 'a list of host names or patterns' });
const cidrList = () => list(cidr(), { what: 'a list of CIDR blocks' });

export const blacklistSchema = strict({
  hosts: hostList().default([]),
  cidrs: cidrList().default([]),
  ports: list(portSpecSchema, { what: 'a list of {protocol, port}' }).default([]),
});

export const whitelistSchema = strict({
  hosts: hostList().default([]),
  cidrs: cidrList().default([]),
});

export const appFileSchema = strict({
  schema: literal(APP_SCHEMA),
  id: id(),
  displayName: str('a display name'),
  android: strict({
    package: str('an Android package name (e.g. "com.whatsapp")', /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/),
    version: str('a version string (quote it: "2.41")'),
  }),
  message: strict({
    text: templated('a message text', MESSAGE_TEXT_VARIABLES),
    count: num({ int: true, min: 1, max: LIMITS.messages }),
  }),
  timers: timersSchema,
  schedule: scheduleSchema,
  service: strict({
    /** the protocol/port shape of the service: application-path traceroutes use these */
    ports: list(portSpecSchema, { min: 1, what: 'a list of {protocol, port}' }),
  }),
  classification: strict({
    /** a flow counts as messaging traffic when it carries packets within this many seconds of a message */
    timeCorrelationWindowSec: seconds(),
    blacklist: blacklistSchema,
    whitelist: whitelistSchema,
  }),
  ui: strict({
    /** run on both phones before the first message: start the app, open the chat with the peer */
    openChat: list(uiStepSchema, { min: 1, what: 'a list of UI steps' }),
    /** run on the sending phone for each message */
    sendMessage: list(uiStepSchema, { min: 1, what: 'a list of UI steps' }),
  }),
  /** how a sent and a received message are recognised on the phones (their times come from here) */
  observe: chatObserveSchema,
}).superRefine((app, ctx) => {
  if (app.schedule.pattern === 'explicit' && app.schedule.senders.length !== app.message.count) {
    ctx.addIssue({
      code: 'custom',
      path: ['schedule', 'senders'],
      message: expected(`one sender per message (message.count is ${app.message.count})`),
    });
  }
});

export type PortSpec = z.infer<typeof portSpecSchema>;
export type MessagingTimers = z.infer<typeof timersSchema>;
export type UiStep = z.infer<typeof uiStepSchema>;
export type MessageSchedule = z.infer<typeof scheduleSchema>;
export type Blacklist = z.infer<typeof blacklistSchema>;
export type Whitelist = z.infer<typeof whitelistSchema>;
export type AppFile = z.infer<typeof appFileSchema>;
export type ChatObserve = z.infer<typeof chatObserveSchema>;

/** Which phone sends message i (0-based) — one entry per message. */
export function messageSenders(app: Pick<AppFile, 'schedule' | 'message'>): Array<'A' | 'B'> {
  if (app.schedule.pattern === 'explicit') return [...app.schedule.senders];
  const first = app.schedule.firstSender;
  const other = first === 'A' ? 'B' : 'A';
  return Array.from({ length: app.message.count }, (_, i) => (i % 2 === 0 ? first : other));
}

/** Seconds of messaging per measurement (Fig. 2 phases), capture tail included. */
export function messagingSeconds(timers: MessagingTimers, count: number): number {
  return timers.beforeFirstMessageSec + Math.max(0, count - 1) * timers.betweenMessagesSec + timers.afterLastMessageSec + timers.captureTailSec;
}

/** Expand `${name}` variables; unknown names were rejected by the schema. */
export function fillTemplate(text: string, values: Partial<Record<TemplateVariable, string | number>>): string {
  return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    const value = values[name as TemplateVariable];
    return value === undefined ? whole : String(value);
  });
}
