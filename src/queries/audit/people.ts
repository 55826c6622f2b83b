import type { UserId } from '../../events/recorded-event.js';
import { EventTypes } from '../../events/event-types.js';
import { userStream, type UserRegistered } from '../../events/user.js';
import type { EventStore } from '../../store/ports/event-store.js';

/** A person as the log registered them. */
export interface Person {
  id: UserId;
  name: string;
  login: string | null;
  phone: string | null;
  /** When the log recorded the registration, ISO-8601. */
  registeredAt: string;
}

const registrations = new EventTypes<UserRegistered>(['UserRegistered']);

/** Streams read at once when naming people: enough to overlap round trips to a server. */
const PARALLEL = 16;

/** The registration of `userId`, from its own stream: the log, not a read model. */
export async function personOf(store: EventStore, userId: UserId): Promise<Person | null> {
  const [registered] = await store.readStream(userStream(userId), { maxCount: 1 });
  if (!registered || !registrations.has(registered)) return null;
  const { name, login, phone } = registered.data;
  return { id: userId, name, login, phone, registeredAt: new Date(registered.created).toISOString() };
}

/** Names people in audit output: `alice (#3)`, or `#3` for an id the log never registered. */
export class People {
  private constructor(private readonly known: ReadonlyMap<UserId, Person>) {}

  static async load(store: EventStore, ids: Iterable<UserId>): Promise<People> {
    const pending = [...new Set(ids)];
    const known = new Map<UserId, Person>();
    while (pending.length > 0) {
      const people = await Promise.all(pending.splice(0, PARALLEL).map((id) => personOf(store, id)));
      for (const person of people) if (person) known.set(person.id, person);
    }
    return new People(known);
  }

  label(id: UserId): string {
    const person = this.known.get(id);
    return person ? `${person.login ?? person.name} (#${id})` : `#${id}`;
  }
}
