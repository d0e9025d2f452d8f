/**
 * Golden file: `matador flows --json` of a capture of real namespace traffic (made by
 * real-traffic.test.ts with MTCAP_SAVE_FIXTURE) must not change unnoticed; the golden itself
 * is checked against tshark, so it is not merely our own output frozen.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { projectRoot } from '../../lib/project-paths';
import type { NamedFlow } from '../../lib/capture';
import { asConversations, conversationLines, tsharkConversations } from './tshark-conversations';

const run = promisify(execFile);
const capture = 'test/fixtures/flows/namespaces.pcapng';
const golden = path.join(projectRoot, 'test/fixtures/flows/namespaces.flows.json');

describe('golden flows of test/fixtures/flows/namespaces.pcapng', () => {
  it('matador flows --json prints exactly the golden report', async () => {
    const { stdout } = await run(path.join(projectRoot, 'bin', 'matador'), ['flows', capture, '--json'], { cwd: projectRoot });
    expect(JSON.parse(stdout)).toEqual(JSON.parse(fs.readFileSync(golden, 'utf8')));
  });

  it('the golden flows are tshark\'s conversations, with names from DNS and SNI', async () => {
    const report = JSON.parse(fs.readFileSync(golden, 'utf8')) as { format: string; flows: NamedFlow[] };
    expect(report.format).toBe('pcapng');
    expect(conversationLines(asConversations(report.flows))).toEqual(conversationLines(await tsharkConversations(path.join(projectRoot, capture))));
    expect(report.flows.find((f) => f.server.port === 8443)?.sni).toBe('svc.mtcap.test');
  });
});
