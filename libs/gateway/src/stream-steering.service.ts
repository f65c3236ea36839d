import { Injectable } from '@nestjs/common';
import type { Principal } from '@pulseboard/api';
import type { SubscriptionState } from '@pulseboard/protocol';
import { SubscriptionControl, type FeedsChange } from '@pulseboard/streaming';
import { ControlCluster } from './control-cluster.service.js';

/**
 * A socket changing an SSE stream's subscription by its session id: on the
 * instance that holds the stream, wherever that is. Only the stream's owner
 * may steer it, and added feeds must be readable with the stream's own token.
 */
@Injectable()
export class StreamSteering {
  constructor(
    private readonly control: SubscriptionControl,
    private readonly cluster: ControlCluster,
  ) {}

  async subscribe(
    principal: Principal,
    session: string,
    feeds: string[],
    change: FeedsChange,
  ): Promise<SubscriptionState> {
    const elsewhere = await this.cluster.changeElsewhere({
      kind: 'subscribe',
      session,
      principalId: principal.id,
      feeds,
      ...change,
    });
    if (elsewhere !== undefined) return elsewhere;
    const { connection, owner } = this.control.session(session, principal);
    // the stream's own token is the one its points are read with
    owner.feeds.checkSubscription(feeds);
    return { feeds: this.control.add(connection, feeds, change) };
  }

  async unsubscribe(principal: Principal, session: string, feeds: string[]): Promise<SubscriptionState> {
    const elsewhere = await this.cluster.changeElsewhere({
      kind: 'unsubscribe',
      session,
      principalId: principal.id,
      feeds,
    });
    if (elsewhere !== undefined) return elsewhere;
    const { connection } = this.control.session(session, principal);
    return { feeds: this.control.remove(connection, feeds) };
  }
}
