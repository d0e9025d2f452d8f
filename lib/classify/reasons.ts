/**
 * The closed lists of flow classes and classification reasons. Each reason decides exactly one
 * class (REASON_CLASS), so a record's class can always be explained by its reason.
 *
 * Precedence, first match wins (why, in brief):
 *  1. local-scope-server   multicast/broadcast/link-local/loopback servers are never a service
 *                          endpoint and cannot be tracerouted;
 *  2. blacklist-*          an explicit decision of the researcher (DNS, NTP, connectivity checks,
 *                          Google services) outranks everything measured;
 *  3. baseline-*           seen from the same node with the app NOT running, so the app is not
 *                          what caused it — even when a whitelist entry also matches (shared
 *                          CDN addresses, push services used by the OS); the whitelist match is
 *                          still shown in the evidence for review;
 *  4. whitelist + correlation: the app's own service; carrying a message makes it messaging,
 *                          otherwise it is the app's background (auth, keep-alive, sync);
 *  5. correlation only     not listed anywhere but it carried messages (weaker evidence: the
 *                          whitelist may be incomplete, e.g. WeChat's DNS-over-HTTP endpoints);
 *  6. unknown              for manual classification, as in the paper.
 */
export const FLOW_CLASSES = ['messaging', 'app-background', 'noise', 'unknown'] as const;
export type FlowClass = (typeof FLOW_CLASSES)[number];

export const CLASSIFICATION_REASONS = [
  /** server address is unspecified, loopback, link-local, multicast or broadcast */
  'local-scope-server',
  /** protocol/server port on the blacklist (udp/53 DNS, udp/123 NTP, ...) */
  'blacklist-port',
  /** SNI or DNS name of the server matches a blacklisted host pattern */
  'blacklist-host',
  /** server address inside a blacklisted CIDR block */
  'blacklist-cidr',
  /** same protocol + server address + port seen in the no-app baseline capture */
  'baseline-endpoint',
  /** same protocol + server name + port seen in the no-app baseline capture */
  'baseline-name',
  /** whitelisted (host or CIDR) and carried at least one message */
  'whitelist-message-correlated',
  /** whitelisted but carried no message: authentication, keep-alive, sync */
  'whitelist-no-message-correlation',
  /** not listed, but carried at least the required number of messages */
  'message-correlation-only',
  /** not listed, carried some messages but fewer than required */
  'weak-message-correlation',
  /** not listed and carried no message */
  'no-rule-matched',
] as const;
export type ClassificationReason = (typeof CLASSIFICATION_REASONS)[number];

export const REASON_CLASS: Readonly<Record<ClassificationReason, FlowClass>> = {
  'local-scope-server': 'noise',
  'blacklist-port': 'noise',
  'blacklist-host': 'noise',
  'blacklist-cidr': 'noise',
  'baseline-endpoint': 'noise',
  'baseline-name': 'noise',
  'whitelist-message-correlated': 'messaging',
  'whitelist-no-message-correlation': 'app-background',
  'message-correlation-only': 'messaging',
  'weak-message-correlation': 'unknown',
  'no-rule-matched': 'unknown',
};
