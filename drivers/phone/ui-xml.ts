/**
 * Reading `uiautomator dump` XML: the nodes with their attributes and bounds, and finding the
 * element a UI step names (resource-id, else visible text, else content-desc).
 */
export interface UiElement {
  resourceId: string;
  text: string;
  contentDesc: string;
  cls: string;
  pkg: string;
  clickable: boolean;
  focused: boolean;
  bounds: [number, number, number, number];
  /** Index of the enclosing node in the list (-1: the root); bubbles group text and status views. */
  parent: number;
}

function xmlUnescape(value: string): string {
  return value.replace(/&(#x?[0-9A-Fa-f]+|amp|lt|gt|quot|apos);/g, (_m, ent: string) => {
    if (ent === 'amp') return '&';
    if (ent === 'lt') return '<';
    if (ent === 'gt') return '>';
    if (ent === 'quot') return '"';
    if (ent === 'apos') return "'";
    const code = ent.startsWith('#x') ? Number.parseInt(ent.slice(2), 16) : Number.parseInt(ent.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

export function parseUiDump(xml: string): UiElement[] {
  if (!xml.includes('<hierarchy')) throw new Error(`not a uiautomator dump (starts with ${JSON.stringify(xml.slice(0, 80))})`);
  const out: UiElement[] = [];
  // Open nodes (index in `out`, or -1 for one without bounds) while walking the tags in order.
  const open: number[] = [];
  for (const m of xml.matchAll(/<node\s([^>]*?)(\/?)>|<\/node>/g)) {
    if (m[0] === '</node>') {
      open.pop();
      continue;
    }
    const selfClosing = m[2] === '/';
    const parent = [...open].reverse().find((i) => i >= 0) ?? -1;
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1]] = xmlUnescape(a[2]);
    const b = /^\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]$/.exec(attrs.bounds ?? '');
    if (!b) {
      if (!selfClosing) open.push(-1);
      continue;
    }
    if (!selfClosing) open.push(out.length);
    out.push({
      resourceId: attrs['resource-id'] ?? '',
      text: attrs.text ?? '',
      contentDesc: attrs['content-desc'] ?? '',
      cls: attrs.class ?? '',
      pkg: attrs.package ?? '',
      clickable: attrs.clickable === 'true',
      focused: attrs.focused === 'true',
      bounds: [Number(b[1]), Number(b[2]), Number(b[3]), Number(b[4])],
      parent,
    });
  }
  return out;
}

/** The element a step names: exact resource-id, else exact text, else exact content-desc. */
export function findElement(elements: UiElement[], selector: string): UiElement | null {
  return (
    elements.find((e) => e.resourceId === selector) ??
    elements.find((e) => e.text === selector) ??
    elements.find((e) => e.contentDesc === selector) ??
    null
  );
}

export function centerOf(e: UiElement): { x: number; y: number } {
  return { x: Math.floor((e.bounds[0] + e.bounds[2]) / 2), y: Math.floor((e.bounds[1] + e.bounds[3]) / 2) };
}
