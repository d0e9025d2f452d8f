import { A_CNXN, A_WRTE, commandName, encodeMessage, encodeShellPacket, MessageDecoder, ShellPacketDecoder, SHELL_EXIT, SHELL_STDOUT } from './adb-wire';

test('messages round-trip through the decoder, also when split at every byte', () => {
  const msgs = [
    { command: A_CNXN, arg0: 0x01000001, arg1: 256 * 1024, data: Buffer.from('host::\0') },
    { command: A_WRTE, arg0: 7, arg1: 3, data: Buffer.from('payload ✓') },
    { command: A_WRTE, arg0: 7, arg1: 3, data: Buffer.alloc(0) },
  ];
  const wire = Buffer.concat(msgs.map(encodeMessage));
  expect(commandName(wire.readUInt32LE(0))).toBe('CNXN');
  expect(new MessageDecoder().push(wire)).toEqual(msgs);
  const dec = new MessageDecoder();
  const out = [];
  for (const byte of wire) out.push(...dec.push(Buffer.from([byte])));
  expect(out).toEqual(msgs);
});

test('header: length, byte-sum checksum, magic', () => {
  const m = encodeMessage({ command: A_WRTE, arg0: 1, arg1: 2, data: Buffer.from([1, 2, 250]) });
  expect(m.readUInt32LE(12)).toBe(3);
  expect(m.readUInt32LE(16)).toBe(253);
  expect(m.readUInt32LE(20)).toBe((A_WRTE ^ 0xffffffff) >>> 0);
});

test('a corrupt magic is rejected', () => {
  const m = encodeMessage({ command: A_WRTE, arg0: 1, arg1: 2, data: Buffer.alloc(0) });
  m.writeUInt32LE(0, 20);
  expect(() => new MessageDecoder().push(m)).toThrow(/bad magic/);
});

test('shell v2 packets', () => {
  const wire = Buffer.concat([encodeShellPacket(SHELL_STDOUT, Buffer.from('out')), encodeShellPacket(SHELL_EXIT, Buffer.from([42]))]);
  const dec = new ShellPacketDecoder();
  expect(dec.push(wire.subarray(0, 6))).toEqual([]);
  expect(dec.push(wire.subarray(6))).toEqual([
    { id: SHELL_STDOUT, data: Buffer.from('out') },
    { id: SHELL_EXIT, data: Buffer.from([42]) },
  ]);
});
