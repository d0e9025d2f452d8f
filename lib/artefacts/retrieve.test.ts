import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultOutDir, insideRoot, retrieveArtefact } from './retrieve';

const sha = (b: string): string => crypto.createHash('sha256').update(b).digest('hex');
let root = '';
let data = '';
let out = '';

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'retrieve-'));
  data = path.join(root, 'data');
  out = path.join(root, 'out');
  fs.mkdirSync(path.join(data, 'artefacts', 'x'), { recursive: true });
  fs.writeFileSync(path.join(data, 'artefacts', 'x', 'a.pcap'), 'capture');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('retrieving a stored artefact', () => {
  const a = { kind: 'capture', path: 'artefacts/x/a.pcap', bytes: 7, sha256: sha('capture'), testbed: 'tb1', present: true, failure: null, detail: null };

  it('copies a file whose sha256 matches, keeping its relative path', () => {
    expect(retrieveArtefact(a, data, out)).toEqual({ artefact: a, state: 'ok', problem: null });
    expect(fs.readFileSync(path.join(out, a.path), 'utf8')).toBe('capture');
    expect(retrieveArtefact(a, data)).toMatchObject({ state: 'ok' }); // list: checked in place
  });

  it('never copies a corrupt file under its name, and names missing and unshipped files', () => {
    fs.writeFileSync(path.join(data, a.path), 'captura');
    expect(retrieveArtefact(a, data, out)).toMatchObject({ state: 'corrupt', problem: expect.stringContaining(`the record says ${a.sha256}; not copied`) });
    expect(fs.existsSync(path.join(out, 'artefacts', 'x'))).toBe(true);
    expect(fs.readdirSync(path.join(out, 'artefacts', 'x'))).toEqual([]);
    expect(retrieveArtefact({ ...a, path: 'artefacts/x/gone.pcap' }, data, out)).toMatchObject({ state: 'missing' });
    expect(retrieveArtefact({ ...a, present: false, failure: 'artefact_missing', detail: 'no such file' }, data, out)).toMatchObject({
      state: 'not-shipped',
      problem: 'not shipped from testbed tb1: artefact_missing: no such file',
    });
  });

  it('reads nothing outside the artefact folder a record names', () => {
    expect(retrieveArtefact({ ...a, path: '../../etc/passwd' }, data, out)).toMatchObject({ state: 'unsafe-path' });
    expect(insideRoot(data, '/etc/passwd')).toBeNull();
    expect(insideRoot(data, 'artefacts/x/a.pcap')).toBe(path.join(data, 'artefacts/x/a.pcap'));
  });

  it('copies a record written before shipping unverified (it has no sha256)', () => {
    expect(retrieveArtefact({ kind: 'capture', path: a.path }, data, out)).toMatchObject({ state: 'unverified' });
  });

  it('names the default folder after the measurement without nesting it', () => {
    expect(defaultOutDir('c1/threema/pl-waw/es-mad')).toBe(path.join('artefacts', 'c1_threema_pl-waw_es-mad'));
  });
});
