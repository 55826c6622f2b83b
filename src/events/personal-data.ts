import type { EschatEvent, EschatEventType } from './eschat-event.js';
import type { UserId } from './recorded-event.js';

/** What an erased person's name reads as. */
export const ERASED_NAME = 'erased user';
/** What an erased person's texts (messages, contact greetings, claimed values) read as. */
export const ERASED_TEXT = '[erased]';

type DataOf<T extends EschatEventType> = Extract<EschatEvent, { type: T }>['data'];
type UserIdField<D> = { [K in keyof D]: D[K] extends UserId ? K : never }[keyof D] & string;

/** Which fields of one event type's data are personal, and whose. */
export interface PersonalFields<D> {
  /** The field naming the person the data belongs to: whose key encrypts it. */
  readonly subject: UserIdField<D>;
  /** Each personal field, with what it reads as once its person is erased. */
  readonly erased: { readonly [K in keyof D]?: D[K] };
}

/**
 * The personal data in eschat's events, by event type: the one table the encrypting store
 * (store/encrypting-event-store.ts) reads. A value is personal when it says who someone is or
 * what they said: names, logins, phones, avatars, texts, greetings, the media they sent. What
 * the audit needs stays in clear: ids, rooms, kinds, times, who acted (the envelope's metadata).
 * A claimed login or phone (ValueClaimed) is its claimant's.
 */
export const personalDataTable: { readonly [T in EschatEventType]?: PersonalFields<DataOf<T>> } = {
  UserRegistered: { subject: 'userId', erased: { name: ERASED_NAME, login: null, phone: null, avatar: '' } },
  ValueClaimed: { subject: 'userId', erased: { value: ERASED_TEXT } },
  ValueReleased: { subject: 'userId', erased: { value: ERASED_TEXT } },
  ContactRequested: { subject: 'from', erased: { ask: ERASED_TEXT } },
  MessageSent: { subject: 'sender', erased: { text: ERASED_TEXT, mediaId: null } },
  MessageEdited: { subject: 'sender', erased: { text: ERASED_TEXT } },
};

/** The table as readers of any event's data see it: the subject's field, and each personal field's placeholder. */
export interface PersonalFieldsOfType {
  readonly subject: string;
  readonly erased: Readonly<Record<string, unknown>>;
  /** The personal fields' names: listed once here, not for every event a replay opens. */
  readonly names: readonly string[];
}

const byType = new Map<string, PersonalFieldsOfType>();
for (const [type, fields] of Object.entries(personalDataTable)) {
  if (fields !== undefined) byType.set(type, { subject: fields.subject, erased: fields.erased, names: Object.keys(fields.erased) });
}

/** The personal fields of an event type; undefined for a type with none (or one this version does not know). */
export function personalFieldsOf(type: string): PersonalFieldsOfType | undefined {
  return byType.get(type);
}
