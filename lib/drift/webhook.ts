/**
 * The drift webhook: an http(s) URL from the campaign config (`alerts.webhook`) that receives the
 * alerts of a run as one JSON POST. The URL may carry a secret (a token in the query, the user
 * info or the path, as chat webhooks do): only its redacted form is ever logged, stored or put
 * into workflow history.
 */

export const WEBHOOK_SCHEMA = 'matador.drift-webhook/v1';
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Why `text` is not a usable webhook URL (null: it is). Never quotes the URL itself. */
export function webhookUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'expected an http:// or https:// URL (the value is not shown: it may carry a token)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `expected an http:// or https:// URL, not ${JSON.stringify(url.protocol.slice(0, 20))} (the value is not shown: it may carry a token)`;
  }
  return null;
}

/** Scheme and host only; a path, user info or query is replaced by `...` (any may be a secret). */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    const hidden = url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '');
    return `${url.protocol}//${url.host}${hidden ? '/...' : '/'}`;
  } catch {
    return '(an invalid URL)';
  }
}

/** POSTs `body` as JSON; resolves on a 2xx answer, rejects with a one-line reason (URL redacted). */
export async function postJson(url: string, body: unknown, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<number> {
  const shown = redactUrl(url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'matador-drift-webhook' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).name ?? 'error';
    throw new Error(`webhook ${shown}: POST failed: ${why}`);
  }
  await response.arrayBuffer().catch(() => undefined); // drain: the connection can be reused
  if (response.status < 200 || response.status > 299) throw new Error(`webhook ${shown}: POST answered HTTP ${response.status}`);
  return response.status;
}
