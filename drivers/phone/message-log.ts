/**
 * The phone's message log as the phone driver reads it: one JSON record per line in
 * MESSAGE_LOG_PATH (the virtual phone's apps append them; a real device would need the app's
 * database or screenshots instead). The emulator writes this format and imports it from here.
 */
export const MESSAGE_LOG_PATH = '/sdcard/matador/messages.jsonl';

export interface PhoneMessage {
  event: string; // 'sent' | 'acked' | 'received' | 'send-failed-app-not-running'
  direction: 'in' | 'out';
  app: string;
  id: string;
  peer: string;
  text: string;
  sentAt: string;
  receivedAt?: string;
  ackedAt?: string;
}

/**
 * The message log's records. The apps append while the log is read, so a last line without its
 * newline may be cut off mid-write: it is left for the next read. Any complete line that is not
 * JSON is a broken log.
 */
export function parseMessageLog(text: string): { messages: PhoneMessage[] } | { badLine: string } {
  const lines = text.split('\n');
  const complete = lines.slice(0, -1);
  const messages: PhoneMessage[] = [];
  for (const line of complete) {
    if (!line.trim()) continue;
    try {
      messages.push(JSON.parse(line) as PhoneMessage);
    } catch {
      return { badLine: line };
    }
  }
  return { messages };
}
