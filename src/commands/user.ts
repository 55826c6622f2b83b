import type { UserId } from '../events/recorded-event.js';
import { EventTypes } from '../events/event-types.js';
import {
  loginReservationStream,
  phoneReservationStream,
  userEventTypes,
  userStream,
  type UserEvent,
  type UserRegistered,
} from '../events/user.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { CommandContext } from './command-context.js';
import { handleCommand } from './command-handler.js';
import { CommandRefused, Refusal, type Decider } from './decider.js';
import type { UserRefusal } from './refusal-code.js';
import type { IdAllocator } from './id-allocator.js';
import { hashPassword } from './password.js';
import { reservationDecider } from './reservation.js';
import { uncarriable } from './text-rules.js';

export interface UserState {
  registered: boolean;
  erased: boolean;
  login: string | null;
  phone: string | null;
}

export interface RegisterUser {
  userId: UserId;
  name: string;
  login: string | null;
  phone: string | null;
  passwordHash: string;
}

/** Erases a person's personal data (crypto-shredding): `by` is the admin who asked, null for the operator. */
export interface EraseUser {
  kind: 'erase';
  userId: UserId;
  by: UserId | null;
}

export type UserCommand = ({ kind: 'register' } & RegisterUser) | EraseUser;

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  eventTypes: new EventTypes<UserEvent>(userEventTypes),
  initialState: { registered: false, erased: false, login: null, phone: null },
  evolve(state, event) {
    switch (event.type) {
      case 'UserRegistered':
        return { registered: true, erased: false, login: event.data.login, phone: event.data.phone };
      case 'UserErased':
        return { ...state, erased: true, login: null, phone: null };
    }
  },
  decide(state, command) {
    if (command.kind === 'erase') {
      if (!state.registered) return new Refusal('user_not_found');
      // Idempotent: erasing again records nothing more (the key store's deletion is repeated by the caller).
      return state.erased ? [] : [{ type: 'UserErased', data: { userId: command.userId, by: command.by } }];
    }
    if (state.registered) return new Refusal('id_taken');
    const { userId, name, login, phone, passwordHash } = command;
    return [{ type: 'UserRegistered', data: { userId, name, login, phone, passwordHash, avatar: '' } }];
  },
};

export interface Registration {
  name: string;
  login: string | null;
  phone: string | null;
  password: string;
}

interface Claim {
  stream: string;
  value: string;
  field: 'login' | 'phone';
  refusal: 'login_taken' | 'phone_taken';
}

/**
 * Registers a user: claims the login and phone (reservation streams, so they stay unique
 * across processes), then creates `user-<id>` with an id nobody holds. A claim whose
 * registration fails is released; one left by a crash is taken over after a while.
 * Refusals: `invalid_login`, `invalid_name`, `invalid_phone`, `invalid_password`, `login_taken`,
 * `phone_taken`.
 */
export async function registerUser(
  store: EventStore,
  ids: IdAllocator,
  registration: Registration,
  context: CommandContext,
): Promise<{ userId: UserId; position: number }> {
  const invalid = validate(registration);
  if (invalid) throw new CommandRefused(new Refusal(invalid));
  const passwordHash = await hashPassword(registration.password);
  const claims = claimsOf(registration);
  for (;;) {
    const userId = await ids.next();
    const held: Claim[] = [];
    try {
      for (const claim of claims) {
        await claimValue(store, claim, userId, context);
        held.push(claim);
      }
      const { name, login, phone } = registration;
      const result = await handleCommand(
        store,
        userStream(userId),
        userDecider,
        { kind: 'register', userId, name, login, phone, passwordHash },
        context,
      );
      return { userId, position: result.position ?? 0 };
    } catch (error) {
      await releaseAll(store, held, userId, context);
      if (error instanceof CommandRefused && error.code === 'id_taken') {
        ids.conflicted();
        continue;
      }
      throw error;
    }
  }
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The rules both dialects share; each names the refusal code of the first broken one. */
function validate({ name, login, phone, password }: Registration): UserRefusal | null {
  if (login !== null && (login.trim().length === 0 || login.length > 64 || CONTROL.test(login) || uncarriable(login)))
    return 'invalid_login';
  if (name.trim().length === 0 || name.length > 64 || CONTROL.test(name) || uncarriable(name)) return 'invalid_name';
  if (phone !== null && !/^\+?[0-9]{3,20}$/.test(phone)) return 'invalid_phone';
  if (password.length === 0 || password.length > 1024) return 'invalid_password';
  return null;
}

function claimsOf(registration: Registration): Claim[] {
  const claims: Claim[] = [];
  if (registration.login !== null) {
    const value = registration.login.toLowerCase();
    claims.push({ stream: loginReservationStream(value), value, field: 'login', refusal: 'login_taken' });
  }
  if (registration.phone !== null) {
    const value = registration.phone;
    claims.push({ stream: phoneReservationStream(value), value, field: 'phone', refusal: 'phone_taken' });
  }
  return claims;
}

async function claimValue(store: EventStore, claim: Claim, userId: UserId, context: CommandContext): Promise<void> {
  try {
    await handleCommand(
      store,
      claim.stream,
      reservationDecider,
      async (state) => ({
        kind: 'claim' as const,
        value: claim.value,
        userId,
        now: Date.now(),
        holderRegistered: state.holder !== null && (await holds(store, state.holder, claim)),
      }),
      context,
    );
  } catch (error) {
    if (error instanceof CommandRefused && error.code === 'already_taken') throw new CommandRefused(new Refusal(claim.refusal));
    throw error;
  }
}

const registrations = new EventTypes<UserRegistered>(['UserRegistered']);

/** Whether `userId` registered with the claimed value, i.e. the claim is not an orphan. */
async function holds(store: EventStore, userId: UserId, claim: Claim): Promise<boolean> {
  const [registered] = await store.readStream(userStream(userId), { maxCount: 1 });
  if (!registered || !registrations.has(registered)) return false;
  const data = registered.data;
  const value = claim.field === 'login' ? data.login?.toLowerCase() : data.phone;
  return value === claim.value;
}

async function releaseAll(store: EventStore, claims: readonly Claim[], userId: UserId, context: CommandContext): Promise<void> {
  for (const claim of claims) {
    await handleCommand(store, claim.stream, reservationDecider, { kind: 'release', value: claim.value, userId }, context);
  }
}

/** Whether `userId` is registered: what commands naming another user check first. */
export async function userExists(store: EventStore, userId: UserId): Promise<boolean> {
  const [registered] = await store.readStream(userStream(userId), { maxCount: 1 });
  return registered?.type === 'UserRegistered';
}
