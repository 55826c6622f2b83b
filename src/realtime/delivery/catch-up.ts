import type { UserId } from '../../events/recorded-event.js';
import type { DeliveryChannel } from './delivery-channel.js';
import { inboxBetween } from './inbox-replay.js';
import type { RealtimeContext } from './realtime-context.js';

/**
 * Brings a channel up to date: replays what is due after what it last sent, up to what
 * fan-out has routed (live deliveries are held by the channel meanwhile), then lets live
 * deliveries through. Read models are waited for, so the replay sees all of it. What is older
 * than the replay window is not replayed: the client is told so, before what follows it.
 */
export async function catchUp(ctx: RealtimeContext, userId: UserId, channel: DeliveryChannel<unknown>): Promise<void> {
  const { epoch, from } = channel.startCatchUp();
  const upTo = ctx.fanOut.position;
  const window = ctx.limits.replayWindowSeconds;
  const oldest = window > 0 ? new Date(Date.now() - window * 1000).toISOString() : '';
  let skipped = 0;
  await ctx.read.waitFor(upTo, 30_000);
  for await (const page of inboxBetween(ctx.read, ctx.roomMessages, userId, from, upTo)) {
    const due = page.filter((delivery) => delivery.at >= oldest);
    skipped += page.length - due.length;
    if (skipped > 0 && due.length > 0) {
      channel.announceGap(epoch, skipped);
      skipped = 0;
    }
    if (!channel.replay(epoch, due)) return;
  }
  if (skipped > 0) channel.announceGap(epoch, skipped);
  channel.goLive(epoch);
}
