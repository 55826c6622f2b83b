import type { DomainEvent, StreamName, UserId } from './recorded-event.js';
import type { MessageKind } from './message.js';

/** An uploaded file's facts: `media-<id>`. The bytes live in the media store, never in the log. */
export const mediaStream = (mediaId: string): StreamName => `media-${mediaId}`;

export type MediaUploaded = DomainEvent<
  'MediaUploaded',
  { mediaId: string; owner: UserId; kind: Exclude<MessageKind, 'text'>; contentType: string; size: number; sha256: string }
>;

export type MediaEvent = MediaUploaded;

export const mediaEventTypes = ['MediaUploaded'] as const;
