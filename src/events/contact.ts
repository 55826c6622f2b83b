import type { DomainEvent, StreamName, UserId } from './recorded-event.js';

/** One stream per pair of users, whoever asked first: `contact-<low id>-<high id>`. */
export const contactStream = (a: UserId, b: UserId): StreamName => `contact-${Math.min(a, b)}-${Math.max(a, b)}`;

export type ContactRequested = DomainEvent<'ContactRequested', { from: UserId; to: UserId; ask: string }>;
/** `by` accepted the request `requester` sent. */
export type ContactAccepted = DomainEvent<'ContactAccepted', { by: UserId; requester: UserId }>;
/** `by` declined the request `requester` sent. */
export type ContactDeclined = DomainEvent<'ContactDeclined', { by: UserId; requester: UserId }>;
/** `by` withdrew the request it had sent to `target`. */
export type ContactRequestCancelled = DomainEvent<'ContactRequestCancelled', { by: UserId; target: UserId }>;
/** `by` ended the contact with `other`. */
export type ContactDeleted = DomainEvent<'ContactDeleted', { by: UserId; other: UserId }>;

export type ContactEvent = ContactRequested | ContactAccepted | ContactDeclined | ContactRequestCancelled | ContactDeleted;

export const contactEventTypes = [
  'ContactRequested',
  'ContactAccepted',
  'ContactDeclined',
  'ContactRequestCancelled',
  'ContactDeleted',
] as const;
