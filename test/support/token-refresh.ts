import type { GapEvent } from '@pulseboard/protocol';
import { PulseboardConsumer, PulseboardProducer } from '@pulseboard/sdk';
import { startAuthServer, token } from './auth.js';
import { Recorder } from './consumer-recorder.js';

/** What a consumer saw while every token it and its producer used expired every few seconds. */
export interface TokenRefreshOutcome {
  /** Values of the streamed feed as the consumer received them, in order. */
  values: number[];
  /** How many values the producer sent (0, 1, 2, …). */
  sent: number;
  gaps: GapEvent[];
  /** `token_expired` errors the consumer reported (stream and control socket). */
  expiries: number;
  /** Feeds of the stream after a change made over the control socket at the end. */
  feedsAfter: string[];
  /** The value sent to the feed added at the end arrived. */
  addedFeedValues: number[];
}

/**
 * Streams a counter for `durationMs` from a producer to a consumer, both
 * given `ttlSeconds` tokens by a callback, against a server that needs
 * tokens; then changes the stream's feeds over the control socket and sends
 * one more point. Everything opened is closed before it resolves.
 */
export async function streamThroughTokenExpiries(durationMs: number, ttlSeconds = 3): Promise<TokenRefreshOutcome> {
  const server = await startAuthServer();
  const consumer = new PulseboardConsumer({
    url: server.url,
    feeds: ['renew.v'],
    token: () => token({ role: 'viewer', sub: 'renewing-viewer' }, ttlSeconds),
    backoff: { initialMs: 50, maxMs: 500 },
  });
  const producer = new PulseboardProducer({
    url: server.url,
    token: () => token({ role: 'producer', sub: 'renewing-producer' }, ttlSeconds),
    flushIntervalMs: 20,
  });
  const recorder = new Recorder(consumer);
  try {
    consumer.connect();
    await recorder.untilState('connected');
    // opens the control socket, so that its token expires and is renewed too
    await consumer.subscribe(['renew.w']);
    let sent = 0;
    await new Promise<void>((resolve) => {
      const started = Date.now();
      const timer = setInterval(() => {
        producer.push('renew.v', sent++);
        if (Date.now() - started >= durationMs) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    await producer.flush();
    await recorder.untilValues('renew.v', sent, 20_000);
    const feedsAfter = await consumer.subscribe(['renew.x']);
    producer.push('renew.x', 42);
    await producer.flush();
    await recorder.untilValues('renew.x', 1);
    return {
      values: recorder.values('renew.v'),
      sent,
      gaps: recorder.gaps,
      expiries: recorder.errors.filter((error) => error.code === 'token_expired').length,
      feedsAfter,
      addedFeedValues: recorder.values('renew.x'),
    };
  } finally {
    consumer.close();
    await producer.close({ timeoutMs: 1000 });
    await server.close();
  }
}
