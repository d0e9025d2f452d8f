/**
 * The virtual phone's screen: a launcher, and per messaging app a conversation list and a chat
 * (messages, a text field, a send button). Pure state machine: taps, typed text and key events
 * change it; `toXml()` is what `uiautomator dump` prints, `render()` is what `screencap` shows.
 */
import type { ServiceShape } from '../services/catalogue';
import { TextCanvas } from './png';

export const SCREEN_WIDTH = 540; // Moto E (2nd gen): 540x960 qHD
export const SCREEN_HEIGHT = 960;

export type Bounds = [number, number, number, number];

export interface UiNode {
  cls: string;
  pkg: string;
  text: string;
  resourceId: string;
  contentDesc: string;
  bounds: Bounds;
  clickable: boolean;
  focusable: boolean;
  focused: boolean;
  action?: { kind: 'launch'; app: string } | { kind: 'open-chat' } | { kind: 'focus' } | { kind: 'send' };
  children: UiNode[];
}

export interface ChatLine {
  direction: 'in' | 'out';
  text: string;
  /** out: "pending" until the app's server acks it, then "sent"; in: "received". */
  status: 'pending' | 'sent' | 'received';
  /** The app's message id (outgoing), to find the bubble the ack is for. */
  id?: string;
}

export interface UiApp {
  shape: ServiceShape;
  /** Contact name shown for the chat partner (e.g. "MATAdOR B"). */
  peerName: string;
}

export type Screen = { kind: 'launcher' } | { kind: 'conversations'; app: string } | { kind: 'chat'; app: string };

export interface UiEffects {
  launch(app: string): void;
  send(app: string, text: string): void;
  /** The chat of `app` came on screen. */
  chatOpened(app: string): void;
}

const KEYCODE_HOME = 3;
const KEYCODE_BACK = 4;
const KEYCODE_ENTER = 66;
const KEYCODE_DEL = 67;

function node(partial: Partial<UiNode> & Pick<UiNode, 'cls' | 'pkg' | 'bounds'>): UiNode {
  return {
    text: '',
    resourceId: '',
    contentDesc: '',
    clickable: false,
    focusable: false,
    focused: false,
    children: [],
    ...partial,
  };
}

export class PhoneUi {
  screen: Screen = { kind: 'launcher' };
  private drafts = new Map<string, string>();
  private focusedField: string | null = null; // app whose compose field has focus
  private chats = new Map<string, ChatLine[]>();

  constructor(
    private readonly apps: () => UiApp[],
    private readonly effects: UiEffects,
  ) {}

  chatLines(app: string): ChatLine[] {
    let lines = this.chats.get(app);
    if (!lines) {
      lines = [];
      this.chats.set(app, lines);
    }
    return lines;
  }

  showApp(app: string): void {
    this.screen = { kind: 'conversations', app };
    this.focusedField = null;
  }

  goHome(): void {
    this.screen = { kind: 'launcher' };
    this.focusedField = null;
  }

  /** `input text`: only a focused text field takes characters (as on a real phone). */
  typeText(text: string): boolean {
    if (this.screen.kind !== 'chat' || this.focusedField !== this.screen.app) return false;
    this.drafts.set(this.screen.app, (this.drafts.get(this.screen.app) ?? '') + text);
    return true;
  }

  keyEvent(code: number): void {
    if (code === KEYCODE_HOME) this.goHome();
    else if (code === KEYCODE_BACK) {
      if (this.screen.kind === 'chat') this.showApp(this.screen.app);
      else this.goHome();
    } else if (code === KEYCODE_ENTER) {
      if (this.screen.kind === 'chat' && this.focusedField === this.screen.app) this.pressSend(this.screen.app);
    } else if (code === KEYCODE_DEL) {
      if (this.screen.kind === 'chat' && this.focusedField === this.screen.app) {
        const d = [...(this.drafts.get(this.screen.app) ?? '')];
        d.pop();
        this.drafts.set(this.screen.app, d.join(''));
      }
    }
  }

  tap(x: number, y: number): UiNode | null {
    const hit = findHit(this.tree(), x, y);
    if (!hit?.action) return hit;
    const a = hit.action;
    if (a.kind === 'launch') this.effects.launch(a.app);
    else if (a.kind === 'open-chat' && this.screen.kind === 'conversations') {
      // The compose field is the chat's first focusable view: it gets focus when the chat opens.
      this.screen = { kind: 'chat', app: this.screen.app };
      this.focusedField = this.screen.app;
      this.effects.chatOpened(this.screen.app);
    }
    else if (a.kind === 'focus' && this.screen.kind === 'chat') this.focusedField = this.screen.app;
    else if (a.kind === 'send' && this.screen.kind === 'chat') this.pressSend(this.screen.app);
    return hit;
  }

  private pressSend(app: string): void {
    const text = this.drafts.get(app) ?? '';
    if (!text) return;
    this.drafts.set(app, '');
    this.effects.send(app, text);
  }

  private appOf(name: string): UiApp | undefined {
    return this.apps().find((a) => a.shape.app === name);
  }

  tree(): UiNode {
    const W = SCREEN_WIDTH;
    const H = SCREEN_HEIGHT;
    const root = node({ cls: 'android.widget.FrameLayout', pkg: 'com.android.systemui', bounds: [0, 0, W, H] });
    root.children.push(node({ cls: 'android.widget.TextView', pkg: 'com.android.systemui', bounds: [0, 0, W, 40], resourceId: 'com.android.systemui:id/clock', text: 'Moto E (virtual)' }));
    const s = this.screen;
    if (s.kind === 'launcher') {
      const pkg = 'com.android.launcher3';
      this.apps().forEach((a, i) => {
        const x = 20 + (i % 4) * 130;
        const y = 120 + Math.floor(i / 4) * 150;
        root.children.push(
          node({ cls: 'android.widget.TextView', pkg, bounds: [x, y, x + 120, y + 130], text: a.shape.label, contentDesc: a.shape.label, clickable: true, action: { kind: 'launch', app: a.shape.app } }),
        );
      });
      return root;
    }
    const app = this.appOf(s.app);
    if (!app) {
      this.goHome();
      return this.tree();
    }
    const pkg = app.shape.packageName;
    const frame = node({ cls: 'android.widget.LinearLayout', pkg, bounds: [0, 40, W, H] });
    root.children.push(frame);
    if (s.kind === 'conversations') {
      frame.children.push(node({ cls: 'android.widget.TextView', pkg, bounds: [0, 40, W, 120], resourceId: `${pkg}:id/action_bar_title`, text: app.shape.label }));
      const row = node({ cls: 'android.widget.LinearLayout', pkg, bounds: [0, 130, W, 230], clickable: true, action: { kind: 'open-chat' } });
      row.children.push(node({ cls: 'android.widget.TextView', pkg, bounds: [20, 140, W - 20, 220], resourceId: app.shape.ui.conversationRowId, text: app.peerName, clickable: true, action: { kind: 'open-chat' } }));
      frame.children.push(row);
      return root;
    }
    frame.children.push(node({ cls: 'android.widget.TextView', pkg, bounds: [0, 40, W, 120], resourceId: `${pkg}:id/conversation_title`, text: app.peerName }));
    const list = node({ cls: 'android.widget.ListView', pkg, bounds: [0, 120, W, 820], resourceId: `${pkg}:id/messages` });
    const lines = this.chatLines(s.app).slice(-16);
    lines.forEach((line, i) => list.children.push(bubble(app.shape, line, 130 + i * 42)));
    frame.children.push(list);
    const draft = this.drafts.get(s.app) ?? '';
    frame.children.push(
      node({ cls: 'android.widget.EditText', pkg, bounds: [10, 840, 440, 940], resourceId: app.shape.ui.composeId, text: draft, contentDesc: draft ? '' : 'Type a message', clickable: true, focusable: true, focused: this.focusedField === s.app, action: { kind: 'focus' } }),
    );
    const sendText = app.shape.ui.sendText;
    frame.children.push(
      node({ cls: sendText ? 'android.widget.Button' : 'android.widget.ImageButton', pkg, bounds: [450, 840, 530, 940], resourceId: app.shape.ui.sendId, text: sendText ?? '', contentDesc: sendText ? '' : 'Send', clickable: true, action: { kind: 'send' } }),
    );
    return root;
  }

  /** The XML of `tree` (default: the current screen; the keyguard passes its own). */
  toXml(tree: UiNode = this.tree()): string {
    const out: string[] = ["<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"];
    const walk = (n: UiNode, i: number): void => {
      const b = n.bounds;
      const attrs = [
        ['index', String(i)], ['text', n.text], ['resource-id', n.resourceId], ['class', n.cls], ['package', n.pkg],
        ['content-desc', n.contentDesc], ['checkable', 'false'], ['checked', 'false'], ['clickable', String(n.clickable)],
        ['enabled', 'true'], ['focusable', String(n.focusable)], ['focused', String(n.focused)], ['scrollable', 'false'],
        ['long-clickable', 'false'], ['password', 'false'], ['selected', 'false'], ['bounds', `[${b[0]},${b[1]}][${b[2]},${b[3]}]`],
      ];
      out.push(`<node ${attrs.map(([k, v]) => `${k}="${xmlEscape(v)}"`).join(' ')}>`);
      n.children.forEach((c, j) => walk(c, j));
      out.push('</node>');
    };
    walk(tree, 0);
    out.push('</hierarchy>');
    return out.join('');
  }

  /** Draw the screen: every node with text or a description, at its bounds. */
  render(): TextCanvas {
    const canvas = new TextCanvas(SCREEN_WIDTH, SCREEN_HEIGHT, 255);
    canvas.fillRect(0, 0, SCREEN_WIDTH, 40, 40);
    const draw = (n: UiNode): void => {
      const [x1, y1, x2, y2] = n.bounds;
      if (n.clickable || n.cls === 'android.widget.EditText') {
        canvas.fillRect(x1, y1, x2 - x1, 2, 120);
        canvas.fillRect(x1, y2 - 2, x2 - x1, 2, 120);
        canvas.fillRect(x1, y1, 2, y2 - y1, 120);
        canvas.fillRect(x2 - 2, y1, 2, y2 - y1, 120);
      }
      const label = n.text || (n.cls === 'android.widget.ImageButton' || n.cls === 'android.widget.EditText' ? n.contentDesc : '');
      if (label) canvas.drawText(x1 + 6, y1 + 8, label, 2, n.pkg === 'com.android.systemui' ? 255 : 0);
      n.children.forEach(draw);
    };
    draw(this.tree());
    return canvas;
  }
}

/**
 * One message as the apps lay it out: a bubble (incoming on the left, outgoing on the right)
 * holding the text view and, on outgoing bubbles of apps that show one, the status view whose
 * content-desc is the app's pending clock or sent tick (WhatsApp: ImageView com.whatsapp:id/status,
 * "Pending"/"Sent"). Not reproduced: "Delivered"/"Read" (the virtual services send no receipts),
 * the bubble's time view, date separators, scrolling.
 */
function bubble(shape: ServiceShape, line: ChatLine, y: number): UiNode {
  const pkg = shape.packageName;
  const out = line.direction === 'out';
  const x1 = out ? 120 : 10;
  const b = node({ cls: 'android.widget.LinearLayout', pkg, bounds: [x1, y, x1 + 410, y + 40] });
  b.children.push(node({ cls: 'android.widget.TextView', pkg, bounds: [x1 + 8, y + 2, x1 + 360, y + 38], resourceId: shape.ui.messageTextId, text: line.text }));
  if (out && shape.ui.statusId && shape.ui.statusDesc) {
    const desc = line.status === 'sent' ? shape.ui.statusDesc.sent : shape.ui.statusDesc.pending;
    b.children.push(node({ cls: 'android.widget.ImageView', pkg, bounds: [x1 + 370, y + 18, x1 + 400, y + 38], resourceId: shape.ui.statusId, contentDesc: desc }));
  }
  return b;
}

function findHit(n: UiNode, x: number, y: number): UiNode | null {
  const [x1, y1, x2, y2] = n.bounds;
  if (x < x1 || x >= x2 || y < y1 || y >= y2) return null;
  for (let i = n.children.length - 1; i >= 0; i--) {
    const hit = findHit(n.children[i], x, y);
    if (hit && (hit.clickable || hit.focusable)) return hit;
  }
  return n.clickable || n.focusable ? n : null;
}

/** Escape for an XML attribute: markup characters and every control character as &#N;. */
export function xmlEscape(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    out += code < 0x20 || '&<>"\''.includes(ch) ? `&#${code};` : ch;
  }
  return out;
}
