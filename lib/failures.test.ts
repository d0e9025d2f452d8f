import { formatFailure, NON_RETRYABLE_FAILURES, parseFailureString } from './failures';

describe('failure fields', () => {
  it('format as one line for people, leaving out what is missing', () => {
    expect(formatFailure({ failure: 'tunnel_failed', failedOperation: 'provisionTunnels', detail: 'side B: down' })).toBe('tunnel_failed: provisionTunnels: side B: down');
    expect(formatFailure({ failure: 'cancelled', failedOperation: null, detail: null })).toBe('cancelled');
    expect(formatFailure({ failure: null, failedOperation: null, detail: null })).toBe('');
  });

  it('parse back from that line (older exports), detail keeping its own colons', () => {
    expect(parseFailureString('capture_failed: stopCapture: side A: tcpdump (pid 42): gone')).toEqual({ failure: 'capture_failed', failedOperation: 'stopCapture', detail: 'side A: tcpdump (pid 42): gone' });
    expect(parseFailureString('not_implemented: provisionTunnels')).toEqual({ failure: 'activity_error', failedOperation: null, detail: 'not_implemented: provisionTunnels' });
    expect(parseFailureString(null)).toEqual({ failure: null, failedOperation: null, detail: null });
  });

  it('non-retryable codes are what the retry policies refuse to retry', () => {
    expect(NON_RETRYABLE_FAILURES).toContain('app_not_installed');
    expect(NON_RETRYABLE_FAILURES).toContain('config_invalid');
    expect(NON_RETRYABLE_FAILURES).not.toContain('ssh_timeout');
  });
});
