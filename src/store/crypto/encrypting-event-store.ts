import { Observable } from 'rxjs';
import type { StoredEvent } from '../../events/eschat-event.js';
import { personalFieldsOf, type PersonalFieldsOfType } from '../../events/personal-data.js';
import type { NewEvent, Position, StreamName, UserId } from '../../events/recorded-event.js';
import type { AppendOptions, AppendResult, EventStore, ReadAllOptions, ReadStreamOptions, SubscribeOptions } from '../ports/event-store.js';
import { PageOpening } from './page-opening.js';
import type { PersonKey, PersonKeys } from './person-keys.js';
import { RecentlySealed } from './recently-sealed.js';
import { isSealed, openValueText, sealValue, type SealedValue, type ValueCipher } from './sealed-value.js';

/** A sealed value that does not authenticate: the log was changed, or a value moved between people. */
export class TamperedValueError extends Error {
  override readonly name = 'TamperedValueError';
  constructor(event: Pick<StoredEvent, 'position' | 'stream' | 'type'>, field: string) {
    super(`the ${field} of ${event.type} at position ${event.position} in ${event.stream} does not decrypt with its person's key`);
  }
}

type Data = Record<string, unknown>;

/** The reservation streams (events/user.ts): `login-<login>`, `phone-<phone>`. */
const RESERVATION = /^(login|phone)-(.*)$/s;

/**
 * Crypto-shredding around the adapter: the personal fields of each event (the typed table in
 * events/personal-data.ts) are sealed with their person's key on append, and opened on every
 * read path (streams, the whole log, subscriptions), so commands, projections, queries and the
 * audit see plaintext, and the adapters, the log's files and every copy of them only ciphertext.
 * Once the person's key is erased, their values read as the placeholders of the table.
 *
 * A value is sealed as `{"$enc": "x:" + base64(nonce | XChaCha20-Poly1305 ciphertext of its JSON | tag)}`
 * (sealed-value.ts; AES-256-GCM values, unmarked, as before it), bound (associated data) to the
 * person and the field; null stays null. Values of a log written
 * before encryption are plain and pass through untouched. The envelope (stream, type, metadata:
 * who, when, from where) stays in clear: the audit reads it, and so can anyone with the file.
 */
export class EncryptingEventStore implements EventStore {
  /** Sealed values opened on the adapter's page thread during a catch-up, where it has one (page-opening.ts). */
  private readonly opening: PageOpening;

  /** What this store sealed, until its subscription brings it back (opened from here, not decrypted). */
  private readonly recent: RecentlySealed;
  /** What new values are sealed with. */
  private readonly cipher: ValueCipher;

  constructor(
    private readonly inner: EventStore,
    readonly keys: PersonKeys,
    options: { sealWith?: ValueCipher; recent?: RecentlySealed } = {},
  ) {
    this.opening = new PageOpening(keys);
    this.recent = options.recent ?? new RecentlySealed();
    this.cipher = options.sealWith ?? 'xchacha20-poly1305';
  }

  async append(stream: StreamName, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const sealed: NewEvent[] = [];
    const texts: string[] = [];
    for (const event of events) {
      const personal = personalOf(event.type, event.data);
      if (personal === null) sealed.push(event);
      // The cache first: a sender's key is in memory, and waiting for it cost more than the sealing.
      else
        sealed.push(
          this.sealEvent(event, personal, this.keys.cached(personal.subject) ?? (await this.keys.keyFor(personal.subject)), texts),
        );
    }
    try {
      return await this.inner.append(await this.storedName(stream), sealed, options);
    } catch (error) {
      for (const text of texts) this.recent.forget(text);
      throw error;
    }
  }

  async readStream(stream: StreamName, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.openAll(await this.inner.readStream(await this.storedName(stream), options));
  }

  /**
   * A reservation stream is named after the login or phone it claims (`phone-+15551234`): in
   * the log it is named by the value's pseudonym instead (`claim-phone-<hmac>`), so the file
   * does not spell the phone out. A log written before keeps its clear names, and a value
   * claimed there stays claimed under that name: uniqueness holds across the change. Any other
   * stream is its own name, answered without a promise (a send appends to one).
   */
  private storedName(stream: StreamName): StreamName | Promise<StreamName> {
    const reservation = RESERVATION.exec(stream);
    return reservation === null ? stream : this.pseudonymousName(stream, reservation);
  }

  private async pseudonymousName(stream: StreamName, reservation: RegExpExecArray): Promise<StreamName> {
    const pseudonymous = `claim-${reservation[1]}-${this.keys.pseudonym(reservation[2] ?? '')}`;
    if ((await this.inner.readStream(pseudonymous, { maxCount: 1 })).length > 0) return pseudonymous;
    return (await this.inner.readStream(stream, { maxCount: 1 })).length > 0 ? stream : pseudonymous;
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return this.openAll(await this.inner.readAll(options));
  }

  async readAt(position: Position): Promise<StoredEvent | null> {
    const event = await this.inner.readAt(position);
    return event === null ? null : ((await this.openAll([event]))[0] ?? null);
  }

  /**
   * The inner subscription's events, opened, in order: those of a catch-up the adapter reads on
   * a thread arrive opened there already (page-opening.ts), the rest are opened here. An event
   * whose key is not cached waits for it, and those behind it queue: drained in a loop, not by
   * concatMap, whose synchronous inner observables recurse once per queued event (a catch-up
   * burst of thousands overflowed the stack, and the subscription stalled).
   */
  subscribe(from?: Position, options?: SubscribeOptions): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      const queue: StoredEvent[] = [];
      // The next event to open: the queue is emptied at once when drained, not shifted per event (a burst would cost its square).
      let head = 0;
      let fetching = false;
      let done = false;
      // The head event's keys were fetched: it is opened as they are (a key the store does not have reads as erased).
      let fetched = false;
      const drain = (): void => {
        while (!fetching && head < queue.length && !subscriber.closed) {
          const event = queue[head] as StoredEvent;
          const personal = sealedOf(event);
          const key = personal === null ? undefined : this.keys.cached(personal.subject);
          if (personal !== null && key === undefined && !fetched) {
            fetching = true;
            this.fetch([personal.subject]).then(
              () => {
                fetching = false;
                fetched = true;
                drain();
              },
              (error: unknown) => subscriber.error(error),
            );
            return;
          }
          fetched = false;
          head++;
          try {
            subscriber.next(personal === null ? this.passEvent(event) : openEvent(event, personal, key ?? 'erased', this.recent));
          } catch (error) {
            subscriber.error(error);
            return;
          }
        }
        if (head === queue.length) {
          queue.length = 0;
          head = 0;
        }
        if (done && queue.length === 0) subscriber.complete();
      };
      const inner = this.inner.subscribe(from, { ...options, pageWork: this.opening }).subscribe({
        next: (event) => {
          queue.push(event);
          drain();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          done = true;
          drain();
        },
      });
      return () => inner.unsubscribe();
    });
  }

  headPosition(): Promise<Position> {
    return this.inner.headPosition();
  }

  async close(): Promise<void> {
    await this.inner.close();
    this.opening.close();
    await this.keys.store.close();
  }

  /** The event with its personal fields sealed with `key`; each sealed text is pushed to `texts`, and remembered with its value. */
  private sealEvent(event: NewEvent, { fields, subject, data: plain }: Personal, key: PersonKey, texts: string[]): NewEvent {
    const data: Data = { ...plain };
    for (const field of fields.names) {
      const value = data[field];
      if (value === null || value === undefined) continue;
      // An erased person's data is not kept at all: no key is made for them again.
      if (key === 'erased') {
        data[field] = fields.erased[field];
        continue;
      }
      const sealed = sealValue(key, subject, field, value, this.cipher);
      this.recent.remember(sealed.$enc, subject, field, value);
      texts.push(sealed.$enc);
      data[field] = sealed;
    }
    return { ...event, data };
  }

  /**
   * A page of events, opened: each person's key is looked up once for the page (the key store
   * asked only for those the cache does not hold), then each sealed value opened with it.
   */
  private async openAll(events: StoredEvent[]): Promise<StoredEvent[]> {
    const sealed = events.map(sealedOf);
    const keys = new Map<UserId, PersonKey | undefined>();
    for (const personal of sealed)
      if (personal !== null && !keys.has(personal.subject)) keys.set(personal.subject, this.keys.cached(personal.subject));
    const missing = [...keys].filter(([, key]) => key === undefined).map(([subject]) => subject);
    // The keys as fetched, not as cached: a page of more people than the cache holds would evict some before their turn.
    const fetched = await Promise.all(missing.map((subject) => this.keys.lookup(subject)));
    missing.forEach((subject, i) => keys.set(subject, fetched[i] ?? undefined));
    return events.map((event, i) => {
      const personal = sealed[i] ?? null;
      return personal === null ? this.passEvent(event) : openEvent(event, personal, keys.get(personal.subject) ?? 'erased');
    });
  }

  private async fetch(subjects: readonly UserId[]): Promise<void> {
    await Promise.all(subjects.map((subject) => this.keys.lookup(subject)));
  }

  /** An event with nothing sealed, as it is; a UserErased also drops its person's cached key. */
  private passEvent(event: StoredEvent): StoredEvent {
    if (event.type === 'UserErased' && isData(event.data) && typeof event.data['userId'] === 'number') {
      // Erased by another process sharing the log: this one's cached key goes too.
      this.keys.forget(event.data['userId']);
    }
    return event;
  }
}

/** An event with sealed values: its personal fields, whose they are, and its data. */
interface Personal {
  fields: PersonalFieldsOfType;
  subject: UserId;
  data: Data;
}

/** The event's personal fields and subject when at least one of its values is sealed; null otherwise (nothing to open). */
function sealedOf(event: StoredEvent): Personal | null {
  const personal = personalOf(event.type, event.data);
  if (personal === null) return null;
  for (const field of personal.fields.names) if (isSealed(personal.data[field])) return personal;
  return null;
}

/**
 * The event with its sealed values opened with `key` (or taken from `recent`, when this process
 * sealed them), or read as their placeholders when the person was erased.
 */
function openEvent(event: StoredEvent, personal: Personal, key: PersonKey, recent?: RecentlySealed): StoredEvent {
  const { fields, subject } = personal;
  // A key the store does not have (erased, or a copy made without its keys) reads as erased.
  const data: Data = { ...personal.data };
  for (const field of fields.names) {
    const value = data[field];
    if (!isSealed(value)) continue;
    if (key === 'erased') {
      // An erased person's value is not kept in memory either.
      recent?.forget(value.$enc);
      data[field] = fields.erased[field];
    } else data[field] = (recent?.take(value.$enc, subject, field) ?? { value: openValue(key, subject, field, value, event) }).value;
  }
  return { ...event, data };
}

function isData(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The personal fields of an event and whose they are; null for an event without any. */
function personalOf(type: string, data: unknown): { fields: PersonalFieldsOfType; subject: UserId; data: Data } | null {
  const fields = personalFieldsOf(type);
  if (fields === undefined || !isData(data)) return null;
  const subject = data[fields.subject];
  return typeof subject === 'number' ? { fields, subject, data } : null;
}

function openValue(key: Buffer, subject: UserId, field: string, value: SealedValue, event: StoredEvent): unknown {
  try {
    return JSON.parse(openValueText(key, subject, field, value));
  } catch {
    throw new TamperedValueError(event, field);
  }
}
