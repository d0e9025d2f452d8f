/**
 * A hostile capture cannot attack the terminal (issue 11, part 2): a ClientHello whose server name
 * holds terminal escapes (set the title, clear the screen) is printed by `matador flows` with
 * those bytes as `\xNN`, never raw; `--json` stays JSON (its escapes are JSON's own).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ethernetFrame, pcapFile } from '../../lib/capture/pcap-writer';
import { matador } from '../support/matador-cli';
import { clientHello } from './payloads';
import { tcpSession } from './sessions';

const HOSTILE = '\x1b]0;pwned\x07\x1b[2J';
let dir: string;
let file: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mt-hostile-'));
  file = path.join(dir, 'hostile-sni.pcap');
  const session = tcpSession({
    client: '198.19.200.1',
    server: '198.19.200.2',
    clientPort: 40002,
    serverPort: 443,
    clientIsn: 77,
    serverIsn: 88,
    exchange: [['c', clientHello(`evil${HOSTILE}.example`)]],
  });
  fs.writeFileSync(file, pcapFile(1, session.map((p, i) => ({ sec: 1795234329, fraction: i * 1000, data: ethernetFrame(p) }))));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('matador flows prints a hostile TLS server name escaped, with no raw ESC or BEL', async () => {
  const r = await matador(['flows', file]);
  expect(r.code).toBe(0);
  // eslint-disable-next-line no-control-regex
  expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/); // only \n (and no \t) are left
  expect(r.stdout).toContain('evil\\x1b]0;pwned\\x07\\x1b[2j.example'); // SNI is lower-cased by the decoder
});

test('matador flows --json keeps the name as data, its control characters JSON-escaped', async () => {
  const r = await matador(['flows', file, '--json']);
  expect(r.code).toBe(0);
  // eslint-disable-next-line no-control-regex
  expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f]/);
  const report = JSON.parse(r.stdout) as { flows: Array<{ sni?: string }> };
  expect(report.flows[0].sni).toBe(`evil${HOSTILE.toLowerCase()}.example`);
});
