import { randomUUID } from 'node:crypto';
import type { EventMetadata, UserId } from '../events/recorded-event.js';

/** Who is asking and why: becomes every appended event's metadata. */
export interface CommandContext {
  actor?: UserId;
  device?: string;
  session?: string;
  address?: string;
  correlationId?: string;
  causationId?: string;
}

export function metadataFor(context: CommandContext, now: Date = new Date()): EventMetadata {
  const metadata: EventMetadata = { correlationId: context.correlationId ?? randomUUID(), at: now.toISOString() };
  if (context.actor !== undefined) metadata.actor = context.actor;
  if (context.device !== undefined) metadata.device = context.device;
  if (context.session !== undefined) metadata.session = context.session;
  if (context.address !== undefined) metadata.address = context.address;
  if (context.causationId !== undefined) metadata.causationId = context.causationId;
  return metadata;
}
