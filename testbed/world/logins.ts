/**
 * Who the controller logs in as on each of the world's SSH hosts, declared once (startSshds
 * writes it into the state's SshEndpoint.username; the sudo-password fault and its clear use it).
 *
 * A lab's vantage nodes are rented Debian VPSs administered through a non-root account with
 * sudo, and so is router B of the first testbed (an OpenSSH Linux router with a sudo admin):
 * they log in as SUDO_USER (passwordless sudo, the drivers' `sudo: auto` uses it). The other
 * WLAN routers stay root logins (router A of the first testbed: the OpenWrt-like router, whose
 * only account is root). The sudo-password fault logs a host in as SUDO_PASSWORD_USER instead,
 * whose sudo wants a password: `sudo -n` fails as on a host where the admin forgot NOPASSWD.
 */
import { SUDO_PASSWORD_USER, SUDO_USER } from '../sshd';

export interface LoginHosts {
  nodes: ReadonlyArray<{ id: string }>;
  /** Router ids per testbed, in the world's order. */
  testbeds: ReadonlyArray<{ A: string; B: string }>;
}

/** The normal login user of an element (a node or WLAN router id), or null when it has no sshd. */
export function loginUser(hosts: LoginHosts, elementId: string): string | null {
  if (hosts.nodes.some((n) => n.id === elementId)) return SUDO_USER;
  const first = hosts.testbeds[0];
  if (first && first.B === elementId) return SUDO_USER;
  if (hosts.testbeds.some((t) => t.A === elementId || t.B === elementId)) return 'root';
  return null;
}

/** The login user while the sudo-password fault is on. */
export const FAULT_LOGIN_USER = SUDO_PASSWORD_USER;
