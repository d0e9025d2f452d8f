/** Configuration of one service emulator process (written as JSON for backend-main). */
import type { ServiceApp } from './catalogue';

export interface BackendListen {
  host: string;
  port: number;
  tls: boolean;
  kind: 'chat' | 'https' | 'http' | 'http-dns';
}

export interface HttpDnsEntry {
  /** The name the answer is for, e.g. long.weixin.qq.com. */
  name: string;
  /** First entry whose clientPrefix contains the client's source address wins; one without a prefix is the default. */
  answers: Array<{ clientPrefix?: string; addresses: string[] }>;
}

export interface BackendConfig {
  app: ServiceApp;
  /** Server name reported in `welcome` (e.g. "threema-ch"): tells which instance served a client. */
  name: string;
  listen: BackendListen[];
  tls?: { certFile: string; keyFile: string };
  httpDns?: HttpDnsEntry[];
  /** Other instances of the same service (e.g. WeChat per region): undelivered messages are forwarded there. */
  federation?: { listen?: { host: string; port: number }; peers: Array<{ host: string; port: number }> };
  logFile?: string;
}
