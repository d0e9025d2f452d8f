/**
 * `wg show NAME dump`, read without ever keeping the private key. Its format (wg(8)): the first
 * line is the interface: private-key, public-key, listen-port, fwmark; each further line a peer:
 * public-key, preshared-key, endpoint, allowed-ips, latest-handshake, rx, tx, keepalive; fields
 * are tab-separated, "(none)" / "off" when unset. The first field of the first line (private
 * key) and every peer's preshared key are skipped here, not copied anywhere: nothing this
 * returns, and no error it could produce, contains them. Pure.
 */

export interface WireguardPeerDump {
  publicKey: string;
  /** host:port, null when the peer has none (yet). */
  endpoint: string | null;
  allowedIps: string[];
  /** Unix seconds of the latest handshake, 0 = never. */
  latestHandshake: number;
  persistentKeepalive: number | null;
}

export interface WireguardDump {
  publicKey: string;
  listenPort: number;
  peers: WireguardPeerDump[];
}

const none = (s: string | undefined): string | null => (s === undefined || s === '(none)' || s === 'off' || s === '' ? null : s);

/** Parse the dump; null when it is not one (the text itself is never echoed: it holds a key). */
export function parseWireguardDump(text: string): WireguardDump | null {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const head = lines[0]?.split('\t');
  if (!head || head.length !== 4) return null;
  const listenPort = Number(head[2]);
  if (!Number.isInteger(listenPort)) return null;
  const peers: WireguardPeerDump[] = [];
  for (const line of lines.slice(1)) {
    const f = line.split('\t');
    if (f.length !== 8) return null;
    const keepalive = none(f[7]);
    peers.push({
      publicKey: f[0],
      endpoint: none(f[2]),
      allowedIps: (none(f[3]) ?? '').split(',').filter((a) => a !== ''),
      latestHandshake: Number(f[4]) || 0,
      persistentKeepalive: keepalive === null ? null : Number(keepalive),
    });
  }
  return { publicKey: head[1], listenPort, peers };
}

/** The address part of a peer endpoint ("198.19.220.6:51820", "[2001:db8::1]:51820"). */
export function endpointHost(endpoint: string): string {
  const v6 = /^\[([^\]]+)\]:\d+$/.exec(endpoint);
  if (v6) return v6[1];
  const i = endpoint.lastIndexOf(':');
  return i < 0 ? endpoint : endpoint.slice(0, i);
}
