import { SetMetadata } from '@nestjs/common';
import type { Point } from '@pulseboard/protocol';
import type { Observable } from 'rxjs';

/**
 * An extension point: a Nest provider whose Observable of point batches
 * becomes feeds. Points go through the same log as ingested ones, so they
 * get cursors, retention and delivery like any other.
 *
 * ```ts
 * @Injectable()
 * @FeedSourceProvider()
 * export class WeatherSource implements FeedSource {
 *   readonly name = 'weather';
 *   points() { return interval(1000).pipe(map(() => [{ feed: 'weather.temp', v: read() }])); }
 * }
 * ```
 */
export interface FeedSource {
  /** Names the source in logs. */
  readonly name: string;
  /** Batches of points; subscribed when the application starts, unsubscribed when it stops. */
  points(): Observable<readonly Point[]>;
}

/** Metadata key that marks a provider as a `FeedSource`. */
export const FEED_SOURCE = Symbol('pulseboard:feed-source');

/** Marks an injectable class as a feed source; the registry finds it in any module. */
export const FeedSourceProvider = (): ClassDecorator => SetMetadata(FEED_SOURCE, true);
