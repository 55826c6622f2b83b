import type { TomlFrame } from '../../codecs/im/toml-frame.js';
import type { OfflineQueue } from '../../use-cases/offline-queue.js';
import { imFrame } from './im-frames.js';
import { inboxBetween } from '../delivery/inbox-replay.js';
import type { RealtimeContext } from '../delivery/realtime-context.js';

export function createOfflineQueue(ctx: RealtimeContext): OfflineQueue {
  return {
    async pending(userId, limit) {
      const { from, due } = await ctx.cursors.offline(userId);
      const upTo = ctx.fanOut.position;
      await ctx.read.waitFor(upTo);
      const frames: TomlFrame[] = [];
      let served = upTo;
      read: for await (const page of inboxBetween(ctx.read, ctx.roomMessages, userId, from, upTo)) {
        for (const delivery of page) {
          const frame = due(delivery) ? imFrame(delivery) : null;
          if (frame) frames.push(frame);
          if (frames.length >= limit) {
            served = delivery.position;
            break read;
          }
        }
      }
      await ctx.cursors.served(userId, served);
      return frames;
    },
    async clear(userId) {
      await ctx.cursors.delivered(userId, ctx.fanOut.position);
    },
  };
}
