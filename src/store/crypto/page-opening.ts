import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { UserId } from '../../events/recorded-event.js';
import type { ThreadedPageWork } from '../ports/page-work.js';
import type { PersonKeys } from './person-keys.js';

/** What the opening thread is given: where to ask for keys, and this process's count of erasures. */
export interface OpeningThreadData {
  port: MessagePort;
  erasures: Int32Array;
}

/** The keys of `subjects`, as this process has them now; `fresh` ones are looked up in the key store again, not in memory. */
export interface KeyRequest {
  id: number;
  subjects: UserId[];
  fresh: UserId[];
}

/** Each subject's key (a copy of its bytes), or 'erased' (erased, or no key at all); or why there are none. */
export type KeyReply = { id: number } & ({ keys: (Uint8Array | 'erased')[] } | { error: string });

const OPENING_THREAD = new URL('./page-opening-thread.js', import.meta.url).href;

/**
 * Sealed values opened on the adapter's page thread during a catch-up (page-opening-thread.ts),
 * beside the projecting, instead of on the event loop: an open through node:crypto costs about
 * as much as reading the event. The thread asks this process for the keys it lacks (through
 * PersonKeys, so any key store serves, and its cache); keys stay in this process's memory.
 *
 * Erasure: a page is stamped with the count of this process's erasures when its work began,
 * and the thread drops the keys it holds when the count moved; a page delivered after the count
 * moved again (an erasure made while the page was on its way: its key may be deleted now) is
 * read again from the log and opened on the loop, so no value of a person erased here is
 * handed over once `PersonKeys.erase` returned. Another process's erasure is followed as on the
 * loop: by its `UserErased` (the thread asks the key store again for that person).
 */
export class PageOpening implements ThreadedPageWork {
  readonly module = OPENING_THREAD;
  private readonly ports = new Set<MessagePort>();

  constructor(private readonly keys: PersonKeys) {}

  start(): { data: OpeningThreadData; transfer: MessagePort[] } {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (request: KeyRequest) => void this.answer(port1, request));
    // Answering the thread does not hold the process: the page reader does while a page is due.
    port1.unref();
    this.ports.add(port1);
    return { data: { port: port2, erasures: this.keys.erasures }, transfer: [port2] };
  }

  current(stamp: number): boolean {
    return Atomics.load(this.keys.erasures, 0) === stamp;
  }

  close(): void {
    for (const port of this.ports) port.close();
    this.ports.clear();
  }

  private async answer(port: MessagePort, { id, subjects, fresh }: KeyRequest): Promise<void> {
    let reply: KeyReply;
    try {
      for (const subject of fresh) this.keys.forget(subject);
      const keys = await Promise.all(subjects.map((subject) => this.keys.lookup(subject)));
      // Copies in buffers of their own: a key may sit in a shared pool, which would be cloned whole.
      reply = { id, keys: keys.map((key) => (key === null || key === 'erased' ? 'erased' : new Uint8Array(key))) };
    } catch (error) {
      reply = { id, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  }
}
