/**
 * WLAN router driver (node-ssh; host keys pinned, key auth, every call time-bounded, connections
 * always closed). Network failures come back as `{ ok: false, failure, detail }` with `failure`
 * from the closed list in drivers/ssh/failures.ts.
 *
 *   configureRouter(router)                      tools present, LAN up, forwarding, capture dir
 *   tunnelUp({ router, node, tunnel })           node end (NAT) + router end (policy routing)
 *   tunnelDown({ router, node, tunnel })         both ends, each attempted
 *   tunnelStatus({ router, tunnel })             exists / up / peerReachable / ruleInstalled
 *   captureStart(router, { id, filter? })        -> { handle }   (plain JSON)
 *   captureStop(router, handle)                  -> tcpdump counters; capture_failed if it died
 *   captureFetch(router, handle, localPath)      SFTP or exec cat (size + checksum) + pcap validation
 *   captureDiscard(router, handle)               stop if running, remove the remote files
 *   captureSweep(router)                         stop every tcpdump with a pid file in the capture dir, remove its files
 *   captureRemove(router, handle)                remove the remote files (after a verified fetch)
 */
export { configureRouter, validateRouterConfig, ROUTER_TOOLS } from './config';
export type { RouterConfig } from './config';
export { tunnelUp, tunnelDown, tunnelStatus } from './tunnel';
export type { TunnelUpResult, TunnelStatus } from './tunnel';
export { captureStart, captureStop, captureFetch, captureDiscard, captureRemove, captureSweep, checkCaptureFile } from './capture';
export type { RouterCapture, CaptureStartOptions, CaptureStopResult, CaptureFileCheck } from './capture';
