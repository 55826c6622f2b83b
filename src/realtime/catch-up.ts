import type { UserId } from '../events/recorded-event.js';
import type { DeliveryChannel } from './delivery-channel.js';
import { inboxBetween } from './inbox-replay.js';
import type { RealtimeContext } from './realtime-context.js';

/**
 * Brings a channel up to date: replays what is due after what it last sent, up to what
 * fan-out has routed (live deliveries are held by the channel meanwhile), then lets live
 * deliveries through. Read models are waited for, so the replay sees all of it.
 */
export async function catchUp(ctx: RealtimeContext, userId: UserId, channel: DeliveryChannel<unknown>): Promise<void> {
  const { epoch, from } = channel.startCatchUp();
  const upTo = ctx.fanOut.position;
  await ctx.read.waitFor(upTo, 30_000);
  for await (const page of inboxBetween(ctx.read, ctx.roomMessages, userId, from, upTo)) {
    if (!channel.replay(epoch, page)) return;
  }
  channel.goLive(epoch);
}
