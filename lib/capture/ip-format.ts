/**
 * Text forms of addresses as they appear in captured packets.
 * IPv6 follows RFC 5952 (lower-case hex, no leading zeros, the longest run of two or more zero
 * groups shortened to "::" — the first run on a tie — and IPv4-mapped addresses in mixed
 * notation, ::ffff:192.0.2.1), which is what Wireshark and `ip` print, so flows compare as text.
 */

/** Dotted quad of the 4 bytes at `offset`. */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** RFC 5952 text of the 16 bytes at `offset`. */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (bytes[offset + 2 * i] << 8) | bytes[offset + 2 * i + 1];

  // IPv4-mapped (::ffff:a.b.c.d): RFC 5952 section 5 asks for the mixed form.
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes, offset + 12)}`;
  }

  // Longest run of zero groups (length >= 2); the first one wins a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((g) => g.toString(16)).join(':');
  const tail = groups.slice(bestStart + bestLen).map((g) => g.toString(16)).join(':');
  return `${head}::${tail}`;
}
