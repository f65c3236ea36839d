import type { SseEnd } from '../connectors/sse-connector.js';
import { tokenProblem } from '../pulseboard-error.js';

/**
 * What the consumer does after a stream ended:
 * - `stop`: a 4xx answer is about the request itself, so repeating it
 *   cannot help (408 and 429 excepted);
 * - `renew`: the token was refused as expired or not valid, and a token
 *   callback can give a fresh one;
 * - `retry`: anything else, after a backoff delay. A 401 `unauthorized`
 *   with a token callback is one: the callback may not have had a token yet.
 */
export function afterStreamEnd(end: SseEnd, tokenRenewable: boolean): 'stop' | 'renew' | 'retry' {
  if (end.reason !== 'refused') return 'retry';
  const status = end.error.status ?? 0;
  if (status === 401 && tokenRenewable) {
    const problem = tokenProblem(end.error.code);
    if (problem === 'stale') return 'renew';
    if (problem === 'missing') return 'retry';
  }
  return status >= 400 && status < 500 && status !== 408 && status !== 429 ? 'stop' : 'retry';
}
