/**
 * The four emulated messaging services: Android package, the app's Linux uid on the virtual
 * phone, UI resource ids, and the protocol shape of the service (DNS names, ports, TLS or not,
 * keep-alive cadence). Values follow what the 2015 apps did, as far as public sources tell:
 *
 * - TextSecure: HTTPS (TLS 443) to textsecure-service.whispersystems.org with a long-lived
 *   keep-alive connection (websocket in the real app).
 * - Threema: its own NaCl-framed protocol over plain TCP 5222 to g-xx.0.threema.ch, plus HTTPS
 *   to api.threema.ch.
 * - WeChat: first an HTTP "newgetdns" request to dns.weixin.qq.com (DNS over HTTP, answers
 *   depend on the client's region), then its binary long-connection protocol over TCP 8080 to
 *   long.weixin.qq.com and HTTP to short.weixin.qq.com.
 * - WhatsApp: FunXMPP over TCP 443 (not TLS: own stream encryption) to c.whatsapp.net, plus
 *   HTTPS to v.whatsapp.net.
 * The framing inside the connection is ours (JSON lines); addresses, ports, TLS-or-not and the
 * timing of keep-alives are what a capture sees, and that is what the measurement uses.
 */

export type ServiceApp = 'textsecure' | 'threema' | 'wechat' | 'whatsapp';
export const SERVICE_APPS: readonly ServiceApp[] = ['textsecure', 'threema', 'wechat', 'whatsapp'];

export interface ServiceEndpointShape {
  /** DNS name the app resolves. */
  name: string;
  port: number;
  tls: boolean;
  /** chat: JSON-lines message channel; https/http: one request at app start; http-dns: WeChat DNS. */
  kind: 'chat' | 'https' | 'http' | 'http-dns';
}

export interface ServiceShape {
  app: ServiceApp;
  label: string;
  packageName: string;
  activity: string; // for `am start -n <package>/<activity>`
  versionName: string;
  versionCode: number;
  /** Linux uid of the app process on the virtual phone (Android app uids start at 10000). */
  uid: number;
  /** UI resource ids the UI steps tap (real ids of the 2015 apps where known). */
  /** sendText: the send button shows this text (WeChat) instead of an icon with content-desc "Send". */
  /** Chat bubbles: messageTextId holds a message's text; statusId (outgoing bubbles only) is the
   *  app's sent/delivered marker, whose content-desc is statusDesc.pending until the server acks
   *  the message, then statusDesc.sent. No statusId: the app shows no marker (WeChat). */
  ui: {
    composeId: string;
    sendId: string;
    conversationRowId: string;
    sendText?: string;
    messageTextId: string;
    statusId?: string;
    statusDesc?: { pending: string; sent: string };
  };
  endpoints: ServiceEndpointShape[];
  keepAliveMs: number;
  /** WeChat: the name whose addresses come from the HTTP DNS endpoint instead of DNS. */
  httpDnsFor?: string;
}

export const SERVICE_SHAPES: Record<ServiceApp, ServiceShape> = {
  textsecure: {
    app: 'textsecure',
    label: 'TextSecure',
    packageName: 'org.thoughtcrime.securesms',
    activity: '.ConversationListActivity',
    versionName: '2.24.1',
    versionCode: 145,
    uid: 10061,
    ui: {
      composeId: 'org.thoughtcrime.securesms:id/embedded_text_editor',
      sendId: 'org.thoughtcrime.securesms:id/send_button',
      conversationRowId: 'org.thoughtcrime.securesms:id/from',
      messageTextId: 'org.thoughtcrime.securesms:id/conversation_item_body',
      statusId: 'org.thoughtcrime.securesms:id/delivery_status',
      statusDesc: { pending: 'Pending', sent: 'Sent' },
    },
    endpoints: [{ name: 'textsecure-service.whispersystems.org', port: 443, tls: true, kind: 'chat' }],
    keepAliveMs: 20_000,
  },
  threema: {
    app: 'threema',
    label: 'Threema',
    packageName: 'ch.threema.app',
    activity: '.activities.HomeActivity',
    versionName: '2.41',
    versionCode: 241,
    uid: 10062,
    ui: {
      composeId: 'ch.threema.app:id/embedded_text_editor',
      sendId: 'ch.threema.app:id/send_button',
      conversationRowId: 'ch.threema.app:id/name',
      messageTextId: 'ch.threema.app:id/text_view',
      statusId: 'ch.threema.app:id/delivered_indicator',
      statusDesc: { pending: 'Sending', sent: 'Sent' },
    },
    endpoints: [
      { name: 'g-33.0.threema.ch', port: 5222, tls: false, kind: 'chat' },
      { name: 'api.threema.ch', port: 443, tls: true, kind: 'https' },
    ],
    keepAliveMs: 15_000,
  },
  wechat: {
    app: 'wechat',
    label: 'WeChat',
    packageName: 'com.tencent.mm',
    activity: '.ui.LauncherUI',
    versionName: '6.2.4',
    versionCode: 600,
    uid: 10063,
    ui: {
      composeId: 'com.tencent.mm:id/chatting_content_et',
      sendId: 'com.tencent.mm:id/chatting_send_btn',
      conversationRowId: 'com.tencent.mm:id/conversation_name',
      sendText: 'Send',
      messageTextId: 'com.tencent.mm:id/chatting_content_itv',
    },
    endpoints: [
      { name: 'dns.weixin.qq.com', port: 80, tls: false, kind: 'http-dns' },
      { name: 'long.weixin.qq.com', port: 8080, tls: false, kind: 'chat' },
      { name: 'short.weixin.qq.com', port: 80, tls: false, kind: 'http' },
    ],
    keepAliveMs: 15_000,
    httpDnsFor: 'long.weixin.qq.com',
  },
  whatsapp: {
    app: 'whatsapp',
    label: 'WhatsApp',
    packageName: 'com.whatsapp',
    activity: '.Main',
    versionName: '2.12.176',
    versionCode: 48176,
    uid: 10064,
    ui: {
      composeId: 'com.whatsapp:id/entry',
      sendId: 'com.whatsapp:id/send',
      conversationRowId: 'com.whatsapp:id/conversations_row_contact_name',
      messageTextId: 'com.whatsapp:id/message_text',
      statusId: 'com.whatsapp:id/status',
      statusDesc: { pending: 'Pending', sent: 'Sent' },
    },
    endpoints: [
      { name: 'c.whatsapp.net', port: 443, tls: false, kind: 'chat' },
      { name: 'v.whatsapp.net', port: 443, tls: true, kind: 'https' },
    ],
    keepAliveMs: 20_000,
  },
};

export function serviceShape(app: string): ServiceShape {
  const shape = (SERVICE_SHAPES as Record<string, ServiceShape | undefined>)[app];
  if (!shape) throw new Error(`unknown service app '${app}' (known: ${SERVICE_APPS.join(', ')})`);
  return shape;
}

export function shapeByPackage(packageName: string): ServiceShape | undefined {
  return Object.values(SERVICE_SHAPES).find((s) => s.packageName === packageName);
}

/** Wire messages of the emulated chat protocol (JSON, one per line). */
export type ChatWire =
  | { type: 'hello'; app: string; account: string }
  | { type: 'welcome'; server: string }
  | { type: 'ping'; t: number }
  | { type: 'pong'; t: number }
  | { type: 'msg'; id: string; from: string; to: string; text: string; sentAt: string }
  | { type: 'ack'; id: string }
  | { type: 'error'; message: string };
