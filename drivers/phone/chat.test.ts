/** Bubbles of an open chat as uiautomator dumps them: text view, status view, left/right. */
import { bubblesAddedSince, type ChatBubble, chatBubbles, countBubbles, newestBubble, sentMarkerShown } from './chat';
import { parseUiDump } from './ui-xml';

const n = (attrs: string, inner = ''): string =>
  `<node index="0" ${attrs} class="android.widget.TextView" package="com.whatsapp" checkable="false" clickable="false" enabled="true" focusable="false" focused="false"${inner ? `>${inner}</node>` : ' />'}`;
const bubble = (text: string, x: number, status?: string): string =>
  n(`text="" resource-id="com.whatsapp:id/main_layout" content-desc="" bounds="[${x},200][${x + 300},260]"`,
    n(`text="${text}" resource-id="com.whatsapp:id/message_text" content-desc="" bounds="[${x + 10},205][${x + 290},240]"`) +
      n(`text="" resource-id="com.whatsapp:id/date_wrapper" content-desc="" bounds="[${x + 200},240][${x + 290},258]"`,
        n(`text="12:01" resource-id="com.whatsapp:id/date" content-desc="" bounds="[${x + 200},240][${x + 260},258]"`) +
          (status ? n(`text="" resource-id="com.whatsapp:id/status" content-desc="${status}" bounds="[${x + 262},240][${x + 290},258]"`) : '')));
const XML = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0">${n('text="" resource-id="" content-desc="" bounds="[0,0][540,960]"',
  bubble('hello', 10) + bubble('m1', 230, 'Sent') + bubble('m2', 230, 'Pending') + bubble('m1', 10))}</hierarchy>`;

const WA = { messageTextId: 'com.whatsapp:id/message_text', outgoingBy: 'status-view' as const, statusId: 'com.whatsapp:id/status', sentMarkers: ['Sent', 'Delivered', 'Read'], notification: {} };

test('status-view apps: bubbles with a status view are outgoing, its content-desc the status', () => {
  const b = chatBubbles(parseUiDump(XML), WA);
  expect(b).toEqual([
    { text: 'hello', direction: 'in', status: null },
    { text: 'm1', direction: 'out', status: 'Sent' },
    { text: 'm2', direction: 'out', status: 'Pending' },
    { text: 'm1', direction: 'in', status: null },
  ]);
  expect(countBubbles(b, 'out', 'm1')).toBe(1);
  expect(newestBubble(b, 'out')?.text).toBe('m2');
  expect(sentMarkerShown(b, 'm1', WA)).toBe(true);
  expect(sentMarkerShown(b, 'm2', WA)).toBe(false); // a pending clock is not "sent"
});

test('right-side apps: bubbles right of the middle are outgoing', () => {
  const b = chatBubbles(parseUiDump(XML), { ...WA, outgoingBy: 'right-side', statusId: undefined, sentMarkers: [] });
  expect(b.map((x) => `${x.direction}:${x.text}:${x.status}`)).toEqual(['in:hello:null', 'out:m1:null', 'out:m2:null', 'in:m1:null']);
});

describe('bubblesAddedSince', () => {
  const b = (text: string, direction: 'in' | 'out' = 'in'): ChatBubble => ({ text, direction, status: null });
  it('finds the new bubbles below when the oldest scrolled out at the top', () => {
    // the last measurement's "3 of 10" twice on screen; the new one pushes the top one out
    const before = [b('3'), b('5'), b('1'), b('2', 'out'), b('3'), b('4', 'out'), b('1'), b('2', 'out')];
    const after = [...before.slice(1), b('3')];
    expect(bubblesAddedSince(before, after)).toEqual([b('3')]);
    expect(bubblesAddedSince(before, [...before.slice(2), b('3'), b('4', 'out')])).toEqual([b('3'), b('4', 'out')]);
  });
  it('is empty for the same screen (a status change is no new bubble), and keeps the bubbles below a screen that grew', () => {
    const before = [b('1'), b('2', 'out')];
    expect(bubblesAddedSince(before, [b('1'), { text: '2', direction: 'out', status: 'Sent' }])).toEqual([]);
    expect(bubblesAddedSince(before, [b('1'), b('2', 'out'), b('3')])).toEqual([b('3')]);
    expect(bubblesAddedSince([], [b('1')])).toBeNull();
  });
  it('says null when nothing of the earlier screen is left (another screen, or more new bubbles than it holds)', () => {
    expect(bubblesAddedSince([b('1'), b('2', 'out')], [b('7'), b('8', 'out')])).toBeNull();
    expect(bubblesAddedSince([b('1')], [])).toBeNull();
  });
});
