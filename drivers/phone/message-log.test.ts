import { parseMessageLog } from './message-log';

const sent = { event: 'sent', app: 'threema', text: 'hello 1', sentAt: '2026-11-27T08:00:00.000Z' };
const received = { event: 'received', app: 'threema', text: 'hello 1', sentAt: '2026-11-27T08:00:00.000Z', receivedAt: '2026-11-27T08:00:00.250Z' };

describe('parseMessageLog', () => {
  it('reads every complete JSON line', () => {
    expect(parseMessageLog(`${JSON.stringify(sent)}\n${JSON.stringify(received)}\n`)).toEqual({ messages: [sent, received] });
  });

  it('an empty log has no messages', () => {
    expect(parseMessageLog('')).toEqual({ messages: [] });
  });

  it('leaves a last line cut off mid-append for the next read', () => {
    const whole = JSON.stringify(received);
    expect(parseMessageLog(`${JSON.stringify(sent)}\n${whole.slice(0, 30)}`)).toEqual({ messages: [sent] });
  });

  it('a complete line that is not JSON is a broken log', () => {
    expect(parseMessageLog(`${JSON.stringify(sent)}\nnot json\n${JSON.stringify(received)}\n`)).toEqual({ badLine: 'not json' });
  });
});
