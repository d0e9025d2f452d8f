import { StreamPrefix } from './stream-prefix';

const bytes = (text: string): Buffer => Buffer.from(text);

describe('StreamPrefix', () => {
  it('appends in-order segments, skips retransmitted bytes, keeps overlapping new bytes', () => {
    const s = new StreamPrefix(100);
    expect(s.add(1000, bytes('hello'), 0, 5)).toBe(true);
    expect(s.add(1000, bytes('hello'), 0, 5)).toBe(false); // retransmission
    expect(s.add(1003, bytes('lo world'), 0, 8)).toBe(true); // overlaps by 2
    expect(s.bytes().toString()).toBe('hello world');
  });

  it('stops at a gap and at the cap', () => {
    const gap = new StreamPrefix(100);
    gap.add(1, bytes('ab'), 0, 2);
    expect(gap.add(10, bytes('zz'), 0, 2)).toBe(false);
    expect(gap.closed).toBe(true);
    const capped = new StreamPrefix(4);
    capped.add(1, bytes('abcdef'), 0, 6);
    expect(capped.bytes().toString()).toBe('abcd');
    expect(capped.closed).toBe(true);
  });

  it('handles sequence number wrap-around', () => {
    const s = new StreamPrefix(100);
    s.add(0xfffffffe, bytes('ab'), 0, 2);
    expect(s.add(0, bytes('cd'), 0, 2)).toBe(true);
    expect(s.bytes().toString()).toBe('abcd');
  });

  it('consumes read messages', () => {
    const s = new StreamPrefix(100);
    s.add(1, bytes('abcdef'), 0, 6);
    s.consume(4);
    expect(s.bytes().toString()).toBe('ef');
    expect(s.length).toBe(2);
  });
});
