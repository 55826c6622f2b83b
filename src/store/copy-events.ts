import type { NewEvent, Position, Revision, StreamName } from '../events/recorded-event.js';
import type { StoredEvent } from '../events/eschat-event.js';
import type { EventStore } from './ports/event-store.js';

export interface CopyProgress {
  /** Position in the source of the last event looked at. */
  position: Position;
  /** The source's head when the copy began: where the progress bar ends. */
  head: Position;
  /** Events appended to the target by this run. */
  copied: number;
  /** Events the target already had (an earlier, interrupted run copied them). */
  skipped: number;
}

/** The target holds something else than a copy of the source: copying on would interleave two histories. */
export class CopyConflict extends Error {
  override readonly name = 'CopyConflict';
}

/** Source events read per page. */
const PAGE = 1000;
/** Bytes of data and metadata per append: well under EventStoreDB's default limit of 1 MiB for one append. */
const MAX_APPEND_BYTES = 512 * 1024;

/**
 * Appends every event of `source`, in log order, to `target` with the same stream, revision,
 * id, type, data and metadata; the target's global order is the source's. The target stamps
 * its own positions and recording times (`metadata.at` keeps when each command was decided).
 *
 * Resumable and idempotent: for each stream the target already has, the events up to its last
 * revision are skipped, so a run that was interrupted, or a second run, copies only what is
 * missing. Appends name the expected revision, so a target written by anything else meanwhile
 * fails the copy instead of receiving events out of place; the target's last event of each
 * stream must also carry the source's id at that revision.
 */
export async function copyEvents(
  source: EventStore,
  target: EventStore,
  onProgress?: (progress: CopyProgress) => void,
): Promise<CopyProgress> {
  const heads = new TargetHeads(target);
  const progress: CopyProgress = { position: 0, head: await source.headPosition(), copied: 0, skipped: 0 };
  for (;;) {
    const page = await source.readAll({ from: progress.position, maxCount: PAGE });
    for (const run of runsOf(page)) await copyRun(run, target, heads, progress);
    progress.position = page.at(-1)?.position ?? progress.position;
    onProgress?.({ ...progress });
    // Events appended to the source meanwhile are copied too: the loop ends at a short page.
    if (page.length < PAGE) return progress;
  }
}

/** Consecutive source events of one stream: one append to the target. */
interface Run {
  stream: StreamName;
  events: StoredEvent[];
  bytes: number;
}

function runsOf(page: readonly StoredEvent[]): Run[] {
  const runs: Run[] = [];
  for (const event of page) {
    const bytes = Buffer.byteLength(JSON.stringify(event.data) ?? '') + Buffer.byteLength(JSON.stringify(event.metadata));
    const last = runs.at(-1);
    if (last?.stream === event.stream && last.bytes + bytes <= MAX_APPEND_BYTES) {
      last.events.push(event);
      last.bytes += bytes;
    } else {
      runs.push({ stream: event.stream, events: [event], bytes });
    }
  }
  return runs;
}

async function copyRun(run: Run, target: EventStore, heads: TargetHeads, progress: CopyProgress): Promise<void> {
  const head = await heads.of(run.stream);
  const held = run.events.find((event) => event.revision === head.revision);
  if (held !== undefined && held.id !== head.id) {
    throw new CopyConflict(`the target's ${run.stream} has event ${head.id} at revision ${head.revision}, the source ${held.id}`);
  }
  const missing = run.events.filter((event) => event.revision > head.revision);
  progress.skipped += run.events.length - missing.length;
  const first = missing[0];
  if (first === undefined) return;
  if (first.revision !== head.revision + 1) {
    throw new CopyConflict(`the target's ${run.stream} ends at revision ${head.revision}, the source continues at ${first.revision}`);
  }
  await target.append(run.stream, missing.map(toNewEvent), { expectedRevision: head.revision < 0 ? 'no_stream' : head.revision });
  const last = missing[missing.length - 1] as StoredEvent;
  heads.advance(run.stream, { revision: last.revision, id: last.id });
  progress.copied += missing.length;
}

function toNewEvent(event: StoredEvent): NewEvent {
  return { id: event.id, type: event.type, data: event.data, metadata: event.metadata };
}

/** Where a stream ends in the target: revision -1 (and no id) when it has none of it. */
interface StreamHead {
  revision: Revision;
  id: string | null;
}

/** The target's stream heads, each read once and then kept up to date by the copy itself. */
class TargetHeads {
  private readonly heads = new Map<StreamName, StreamHead>();

  constructor(private readonly target: EventStore) {}

  async of(stream: StreamName): Promise<StreamHead> {
    const known = this.heads.get(stream);
    if (known !== undefined) return known;
    const [last] = await this.target.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const head = last === undefined ? { revision: -1, id: null } : { revision: last.revision, id: last.id };
    this.heads.set(stream, head);
    return head;
  }

  advance(stream: StreamName, head: StreamHead): void {
    this.heads.set(stream, head);
  }
}
