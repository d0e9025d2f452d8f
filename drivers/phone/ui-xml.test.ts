import { centerOf, findElement, parseUiDump } from './ui-xml';

const XML =
  "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">" +
  '<node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="x" content-desc="" clickable="false" focused="false" bounds="[0,0][540,960]">' +
  '<node index="0" text="MATAdOR B" resource-id="com.whatsapp:id/conversations_row_contact_name" class="android.widget.TextView" package="com.whatsapp" content-desc="" clickable="true" focused="false" bounds="[20,140][520,220]"/>' +
  '<node index="1" text="a &amp; b &lt;c&gt; &quot;d&quot; &#10;e &#128640;" resource-id="" class="android.widget.TextView" package="com.whatsapp" content-desc="" clickable="false" focused="false" bounds="[10,300][420,338]"/>' +
  '<node index="2" text="" resource-id="com.whatsapp:id/send" class="android.widget.ImageButton" package="com.whatsapp" content-desc="Send" clickable="true" focused="true" bounds="[450,840][530,940]"></node>' +
  '</node></hierarchy>';

test('parses nodes, attributes, entities and bounds', () => {
  const els = parseUiDump(XML);
  expect(els).toHaveLength(4);
  expect(els.map((e) => e.parent)).toEqual([-1, 0, 0, 0]);
  expect(els[2].text).toBe('a & b <c> "d" \ne 🚀');
  expect(els[3]).toMatchObject({ resourceId: 'com.whatsapp:id/send', contentDesc: 'Send', clickable: true, focused: true, bounds: [450, 840, 530, 940] });
});

test('finds by resource-id, then visible text, then content-desc', () => {
  const els = parseUiDump(XML);
  expect(centerOf(findElement(els, 'com.whatsapp:id/send')!)).toEqual({ x: 490, y: 890 });
  expect(findElement(els, 'MATAdOR B')?.resourceId).toBe('com.whatsapp:id/conversations_row_contact_name');
  expect(findElement(els, 'Send')?.resourceId).toBe('com.whatsapp:id/send');
  expect(findElement(els, 'MATAdOR')).toBeNull();
});

test('rejects what is not a dump', () => {
  expect(() => parseUiDump('ERROR: null root node returned by UiTestAutomationBridge.')).toThrow(/not a uiautomator dump/);
});
