/**
 * The receiver polling of sendMessage (pollReceived) over a real message log file in the virtual
 * phone's format (one JSON record per line, parsed by drivers/phone parseMessageLog): a message
 * that shows up late is found, one that never shows up is undefined when the deadline passes.
 * (The whole step runs against the world in test/e2e.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseMessageLog, type PhoneMessage } from '../../drivers/phone';
import { pollReceived, sentByEarlierTry } from './send';

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-send-test-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const TEXT = 'MATAdOR test message 3 of 10 from A';
const record = (text: string, receivedAt: string): PhoneMessage => ({ event: 'received', direction: 'in', app: 'threema', id: text, peer: 'a', text, sentAt: receivedAt, receivedAt });

/** Reads the log file as readMessages does (parseMessageLog); a missing file is a failed read. */
function logReader(file: string): { read: () => Promise<{ ok: true; messages: PhoneMessage[] } | { ok: false }>; reads: () => number } {
  let n = 0;
  return {
    read: async () => {
      n++;
      if (!fs.existsSync(file)) return { ok: false };
      const parsed = parseMessageLog(await fs.promises.readFile(file, 'utf8'));
      if ('badLine' in parsed) throw new Error(`${file}: bad line ${parsed.badLine}`);
      return { ok: true, messages: parsed.messages };
    },
    reads: () => n,
  };
}

test('a message the receiver logs only after several looks is found', async () => {
  const file = path.join(dir, 'late.jsonl');
  const begun = Date.now();
  fs.writeFileSync(file, `${JSON.stringify(record('an older message', new Date(begun).toISOString()))}\n`);
  const log = logReader(file);
  // The receiver logs the message while the third look is due (after two looks without it).
  const read = async () => {
    if (log.reads() === 2) fs.appendFileSync(file, `${JSON.stringify(record(TEXT, new Date().toISOString()))}\n`);
    return log.read();
  };
  const got = await pollReceived(read, { text: TEXT, notBefore: begun, deadline: Date.now() + 60_000, intervalMs: 5 });
  expect(got).toMatchObject({ event: 'received', text: TEXT });
  expect(log.reads()).toBe(3);
});

test('failed reads are looked at again; the read already under way counts as the first look', async () => {
  const file = path.join(dir, 'appears.jsonl');
  const begun = Date.now();
  const log = logReader(file);
  const first = log.read(); // no log yet: a failed read
  const read = async () => {
    if (!fs.existsSync(file)) fs.writeFileSync(file, `${JSON.stringify(record(TEXT, new Date().toISOString()))}\n`);
    return log.read();
  };
  const got = await pollReceived(read, { text: TEXT, notBefore: begun, deadline: Date.now() + 60_000, intervalMs: 5, first });
  expect(got?.text).toBe(TEXT);
  expect(log.reads()).toBe(2);
});

test('a message that never shows up is undefined once the deadline has passed', async () => {
  const file = path.join(dir, 'never.jsonl');
  const begun = Date.now();
  // Same text, but from an earlier measurement (long before this send): not this message.
  fs.writeFileSync(file, `${JSON.stringify(record(TEXT, new Date(begun - 3_600_000).toISOString()))}\n`);
  const log = logReader(file);
  const deadline = Date.now() + 300;
  const got = await pollReceived(log.read, { text: TEXT, notBefore: begun, deadline, intervalMs: 20 });
  expect(got).toBeUndefined();
  expect(Date.now()).toBeGreaterThanOrEqual(deadline);
  expect(log.reads()).toBeGreaterThan(1);
});

describe('a retried sendMessage never sends twice', () => {
  const sentRecord = (text: string, sentAt: string): PhoneMessage => ({ event: 'sent', direction: 'out', app: 'threema', id: text, peer: 'b', text, sentAt });
  const sender = (messages: PhoneMessage[] | null) => {
    let reads = 0;
    return {
      readMessages: async () => {
        reads++;
        return messages ? { ok: true as const, messages } : { ok: false as const, failure: 'adb_timeout' as const, operation: 'readMessages', detail: 'adb pull timed out' };
      },
      reads: () => reads,
    };
  };
  const first = Date.parse('2026-01-01T10:00:00.000Z');

  it('a retry finds the message an earlier try sent and does not send it again', async () => {
    const s = sender([sentRecord(TEXT, '2026-01-01T10:00:02.000Z')]);
    const got = await sentByEarlierTry(s, { text: TEXT, try: { attempt: 2, firstScheduledMs: first }, side: 'A' });
    expect(got).toMatchObject({ event: 'sent', text: TEXT, sentAt: '2026-01-01T10:00:02.000Z' });
  });

  it('the same text sent before the first try (an earlier measurement) is not this message', async () => {
    const s = sender([sentRecord(TEXT, '2026-01-01T09:00:00.000Z'), sentRecord('other text', '2026-01-01T10:00:03.000Z')]);
    expect(await sentByEarlierTry(s, { text: TEXT, try: { attempt: 3, firstScheduledMs: first }, side: 'A' })).toBeUndefined();
  });

  it('a first try sends without reading the log', async () => {
    const s = sender([sentRecord(TEXT, '2026-01-01T10:00:02.000Z')]);
    expect(await sentByEarlierTry(s, { text: TEXT, try: { attempt: 1, firstScheduledMs: first }, side: 'A' })).toBeUndefined();
    expect(s.reads()).toBe(0);
  });

  it('a retry whose sender log cannot be read fails instead of risking a second send', async () => {
    await expect(sentByEarlierTry(sender(null), { text: TEXT, try: { attempt: 2, firstScheduledMs: first }, side: 'A' })).rejects.toMatchObject({ type: 'adb_timeout' });
  });
});
