/**
 * The world's address plan (pure). IPv4 only from 198.18.0.0/16 (one /24 per core router,
 * `198.18.<index>.0/24`) and 198.19.0.0/17 (the lab: management link to the host, WLAN router
 * uplinks and WLAN LANs). Every address a router answers from lies in its own /24, so the
 * plan doubles as a geolocation corrections file.
 */

export const WORLD_PREFIX = '198.18.0.0/16';
export const LAB_PREFIX = '198.19.0.0/17';
export const HOST_ADDRESS = '198.19.0.1';
export const LAB_HOST_SIDE = '198.19.0.2';
export const LAB_GATEWAY = '198.19.1.1';
export const MAX_ROUTERS = 250;

/** Hands out addresses per router: links from .2 up, attached elements from .101 up. */
export class RouterAddressPool {
  private nextLink = 2;
  private nextElement = 101;

  constructor(
    readonly index: number, // 1..250
  ) {
    if (index < 1 || index > MAX_ROUTERS) throw new Error(`router index ${index} out of range 1..${MAX_ROUTERS}`);
  }

  get prefix(): string {
    return `198.18.${this.index}.0/24`;
  }

  /** Gateway address of every attachment interface (also on lo). */
  get gateway(): string {
    return `198.18.${this.index}.1`;
  }

  linkAddress(): string {
    if (this.nextLink > 99) throw new Error(`router 198.18.${this.index}.0/24 has more than 98 links`);
    return `198.18.${this.index}.${this.nextLink++}`;
  }

  elementAddress(): string {
    if (this.nextElement > 254) throw new Error(`router 198.18.${this.index}.0/24 has more than 154 attached elements`);
    return `198.18.${this.index}.${this.nextElement++}`;
  }
}

/** The lab router's pool: links 198.19.0.3.., WLAN uplinks 198.19.1.10.. */
export class LabAddressPool {
  private nextLink = 3;
  private nextUplink = 10;
  readonly prefix = LAB_PREFIX;
  readonly gateway = LAB_GATEWAY;

  linkAddress(): string {
    if (this.nextLink > 254) throw new Error('lab router has too many links');
    return `198.19.0.${this.nextLink++}`;
  }

  uplinkAddress(): string {
    if (this.nextUplink > 254) throw new Error('lab has too many WLAN routers');
    return `198.19.1.${this.nextUplink++}`;
  }
}

/** LAN of testbed t (1-based), side A or B: 198.19.<16 + 2(t-1) + side>.0/24, router .1, phone .2. */
export function wlanLan(testbed: number, side: 'A' | 'B'): { prefix: string; router: string; phone: string } {
  const third = 16 + 2 * (testbed - 1) + (side === 'A' ? 0 : 1);
  if (third > 127) throw new Error(`testbed ${testbed} is beyond the lab address plan`);
  return { prefix: `198.19.${third}.0/24`, router: `198.19.${third}.1`, phone: `198.19.${third}.2` };
}
