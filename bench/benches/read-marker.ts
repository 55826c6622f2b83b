import { pick } from '../harness/bench-options.js';
import { BenchFailure, figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { HttpClient, type HttpAnswer } from '../harness/http-client.js';
import { Samples } from '../harness/percentiles.js';
import { createUsers, type BenchUser } from '../harness/population.js';
import { startServer } from '../harness/server-process.js';

/** Rounds of one send and one read-marker move, each timed alone. */
const ROUNDS = 2000;
/** Messages in the room before the timing, so that neither runs on an empty room. */
const WARM_UP = 100;

/**
 * The cost of a read-marker move (`POST /v1/rooms/:id/read {"message_id"}`: one
 * `RoomReadMarked` appended, durably, and the unread count answered) beside a text send
 * (`POST /v1/rooms/:id/messages`: one `MessageSent`, durably) measured the same way on the same
 * server in the same run: one request at a time, in alternating order (send then mark, mark
 * then send), by the two members of a direct room. Each move is a real one: the recipient marks
 * read up to a message it has not marked yet, so the marker moves forward every time (a mark
 * behind it appends nothing). Every answer is checked: the send answers the text, the mark
 * answers the message as read up to and the unread count after it.
 */
export const readMarkerBench: Bench = {
  name: 'read-marker',
  async run(options) {
    const server = await startServer({ tls: options.tls, profileDir: options.profileDir });
    const http = new HttpClient(server.httpUrl);
    try {
      const [sender, reader] = (await createUsers(http, 2)) as [BenchUser, BenchUser];
      const roomId = await directRoom(http, sender, reader);
      for (let n = 0; n < WARM_UP; n++) await send(http, sender, roomId, `warm up ${n}`);
      const sends = new Samples();
      const marks = new Samples();
      // One message is always sent and not yet marked: each mark moves the marker forward to it.
      let pending = await send(http, sender, roomId, 'first');
      for (let n = 0; n < pick(options, ROUNDS, 200); n++) {
        if (n % 2 === 0) {
          const sent = await timed(sends, () => send(http, sender, roomId, `text ${n}`));
          await timed(marks, () => mark(http, reader, roomId, pending, 1));
          pending = sent;
        } else {
          await timed(marks, () => mark(http, reader, roomId, pending, 0));
          pending = await timed(sends, () => send(http, sender, roomId, `text ${n}`));
        }
      }
      return [
        figure('read-marker', 'text send p50 (same run)', sends.percentile(50), 'us', null),
        figure('read-marker', 'text send p99 (same run)', sends.percentile(99), 'us', null),
        figure('read-marker', 'read-marker move p50', marks.percentile(50), 'us', sends.percentile(50), {
          op: '<=',
          limit: 1,
          of: 'ratio',
        }),
        figure('read-marker', 'read-marker move p99', marks.percentile(99), 'us', sends.percentile(99), {
          op: '<=',
          limit: 1,
          of: 'ratio',
        }),
      ];
    } finally {
      http.close();
      await server.stop();
    }
  },
};

/** Times one request into `samples` (microseconds); its checked result passes through. */
async function timed<T>(samples: Samples, request: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await request();
  samples.add(Number(process.hrtime.bigint() - started) / 1000);
  return result;
}

async function directRoom(http: HttpClient, owner: BenchUser, other: BenchUser): Promise<number> {
  const created = await http.postJson('/v1/rooms', { users: [{ id: other.id }] }, { 'x-session-id': owner.token });
  const roomId = created.status === 200 ? Number((JSON.parse(created.body) as { id?: number }).id) : NaN;
  if (!Number.isInteger(roomId))
    throw new BenchFailure(`read-marker: POST /v1/rooms answered HTTP ${created.status}: ${created.body.slice(0, 200)}`);
  return roomId;
}

/** Sends a text; the message's id. The answer is checked (the text as sent, in the room) inside the timing: it is part of the answer's cost. */
async function send(http: HttpClient, sender: BenchUser, roomId: number, text: string): Promise<number> {
  const answer = await http.postJson(`/v1/rooms/${roomId}/messages`, { text }, { 'x-session-id': sender.token });
  const sent = answer.status === 200 ? (JSON.parse(answer.body) as { id?: number; text?: string; room_id?: number }) : null;
  if (sent?.text !== text || sent.room_id !== roomId || !Number.isInteger(sent.id)) fail('POST /v1/rooms/:id/messages', answer);
  return sent.id as number;
}

/** Marks the room read up to `messageId`, which must be the marker's new place with `unread` messages after it. */
async function mark(http: HttpClient, reader: BenchUser, roomId: number, messageId: number, unread: number): Promise<void> {
  const answer = await http.postJson(`/v1/rooms/${roomId}/read`, { message_id: messageId }, { 'x-session-id': reader.token });
  const marked = answer.status === 200 ? (JSON.parse(answer.body) as { room_id?: number; read_up_to?: number; unread?: number }) : null;
  if (marked?.room_id !== roomId || marked.read_up_to !== messageId || marked.unread !== unread)
    fail(`POST /v1/rooms/:id/read up to ${messageId}`, answer);
}

function fail(what: string, answer: HttpAnswer): never {
  throw new BenchFailure(`read-marker: ${what} answered HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
}
