import { z } from 'zod';

const Presence = z.enum(['online', 'away', 'offline']);

/**
 * Frames of `WS /v1/stream` that are not a route, for the OpenAPI document's components
 * (named `StreamFrame...` for what the server sends, `ClientFrame...` for what a client may).
 */
export const STREAM_FRAMES: Record<string, z.ZodType> = {
  StreamFramePresence: z
    .object({
      type: z.literal('presence'),
      user_id: z.number().int(),
      presence: Presence,
      last_seen: z.string().nullable().describe('ISO 8601, when an offline user was last connected; null when unknown or turned off'),
    })
    .describe(
      'A contact’s or room-sharer’s presence changed; at the stream’s start, one per contact or room-sharer who is online or away (the others are offline). No cursor: never replayed',
    ),
  ClientFramePresence: z
    .object({ type: z.literal('presence'), presence: z.enum(['away', 'online']) })
    .describe(
      'The client says it is away (or back): the user shows away while every connection of theirs says so; anything else is answered {"type":"error","error":{"code":"invalid_presence"}}',
    ),
};
