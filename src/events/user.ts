import type { DomainEvent, StreamName, UserId } from './recorded-event.js';

/** A person with an account. Streams: `user-<id>`. */
export const userStream = (id: UserId): StreamName => `user-${id}`;

/** Uniqueness claims, one stream per claimed value, appended with expected revision "no stream". */
export const loginReservationStream = (login: string): StreamName => `login-${login.toLowerCase()}`;
export const phoneReservationStream = (phone: string): StreamName => `phone-${phone}`;

export type UserRegistered = DomainEvent<
  'UserRegistered',
  {
    userId: UserId;
    name: string;
    login: string | null;
    phone: string | null;
    /** argon2id; the password itself never enters the log. */
    passwordHash: string;
    avatar: string;
  }
>;

/**
 * The person's personal data is erased (crypto-shredding): their key is deleted from the key
 * store, so every encrypted value of theirs in the log reads as its erased placeholder
 * (events/personal-data.ts). `by` is the admin who asked; null when the operator did, by the
 * CLI. The event itself carries nothing personal: the audit keeps that it happened, by whom, when.
 */
export type UserErased = DomainEvent<'UserErased', { userId: UserId; by: UserId | null }>;

export type UserEvent = UserRegistered | UserErased;

/** `claimedAt` (ms since the epoch) lets a claim whose registration never happened be taken over later. */
export type ValueClaimed = DomainEvent<'ValueClaimed', { value: string; userId: UserId; claimedAt: number }>;
/** A claim whose registration did not go through (its id was taken meanwhile, or it was abandoned). */
export type ValueReleased = DomainEvent<'ValueReleased', { value: string; userId: UserId }>;

export type ReservationEvent = ValueClaimed | ValueReleased;

export const userEventTypes = ['UserRegistered', 'UserErased'] as const;

export const reservationEventTypes = ['ValueClaimed', 'ValueReleased'] as const;
