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
import { pollReceived } from './send';

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
