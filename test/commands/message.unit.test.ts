import { expect } from 'chai';
import { CommandRefused } from '../../src/commands/decider.js';
import { IdAllocator } from '../../src/commands/id-allocator.js';
import { sendMessage, type SendMessage } from '../../src/commands/message.js';
import { createGroup } from '../../src/commands/room.js';
import { registerUser } from '../../src/commands/user.js';
import { messagesProjection } from '../../src/projections/messages.js';
import { roomsProjection } from '../../src/projections/rooms.js';
import { ProjectionRunner } from '../../src/projections/runner.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { MemoryReadStore } from '../../src/store/memory/memory-read-store.js';
import { sendGuard } from '../support/read-model-send-guard.js';
import { tempEventStore } from '../support/stores.js';

/** How each dialect takes a client id used lately for other content. */
const IM = { reusedClientId: 'new_message' } as const;
const V1 = { reusedClientId: 'refused' } as const;

describe('sendMessage', () => {
  let store: EventStore;
  let runner: ProjectionRunner;
  let roomId: number;
  let ann: number;
  let bob: number;

  beforeEach(async () => {
    store = await tempEventStore();
    runner = new ProjectionRunner(store, new MemoryReadStore(), [roomsProjection, messagesProjection]);
    await runner.start();
    const users = new IdAllocator(async () => 0);
    ann = (await registerUser(store, users, { name: 'ann', login: 'ann', phone: null, password: 'pw' }, {})).userId;
    bob = (await registerUser(store, users, { name: 'bob', login: 'bob', phone: null, password: 'pw' }, {})).userId;
    const rooms = new IdAllocator(async () => 0);
    const group = await createGroup(store, rooms, { name: 'g', creator: ann, members: [], key: null }, {});
    roomId = group.roomId;
    await runner.waitFor(group.position);
  });
  afterEach(async () => {
    runner.stop();
    await store.close();
  });

  const text = (body: string, clientId: string | null = null, sender = ann): SendMessage => ({
    roomId,
    sender,
    device: 'web',
    clientId,
    kind: 'text',
    text: body,
    mediaId: null,
  });
  const sentCount = async () => (await store.readAll({ filter: { eventTypes: ['MessageSent'] } })).length;

  it('answers the message with its log position as id, stored in the day stream of the room', async () => {
    const sent = await sendMessage(store, sendGuard(runner), text('hello'), { actor: ann }, IM);
    expect(sent.created).to.equal(true);
    const [event] = await store.readAll({ filter: { eventTypes: ['MessageSent'] } });
    expect(sent.position).to.equal(event?.position);
    expect(event?.stream).to.match(new RegExp(`^messages-${roomId}-\\d{8}$`));
    expect(sent.at).to.equal(event?.metadata.at);
    expect(sent.data).to.deep.equal({ roomId, sender: ann, device: 'web', kind: 'text', text: 'hello', clientId: null, mediaId: null });
  });

  it('sends retried in the same tick, before the read model shows any, make one message', async () => {
    const sends = await Promise.all(Array.from({ length: 10 }, () => sendMessage(store, sendGuard(runner), text('once', 'same'), {}, IM)));
    expect(new Set(sends.map((sent) => sent.position)).size).to.equal(1);
    expect(sends.filter((sent) => sent.created)).to.have.length(1);
    expect(await sentCount()).to.equal(1);
    await runner.waitFor(sends[0]!.position);
    const later = await sendMessage(store, sendGuard(runner), text('once', 'same'), {}, IM);
    expect(later).to.deep.equal({ ...sends[0]!, created: false });
    expect(await sentCount()).to.equal(1);
  });

  it('takes a client id used again for other text as a new message in im, in the same tick or later', async () => {
    const [first, second] = await Promise.all([
      sendMessage(store, sendGuard(runner), text('one', 'a_03'), {}, IM),
      sendMessage(store, sendGuard(runner), text('two', 'a_03'), {}, IM),
    ]);
    expect([first!.created, second!.created]).to.deep.equal([true, true]);
    expect(second!.position).to.not.equal(first!.position);
    await runner.waitFor(second!.position);
    const third = await sendMessage(store, sendGuard(runner), text('three', 'a_03'), {}, IM);
    const retry = await sendMessage(store, sendGuard(runner), text('one', 'a_03'), {}, IM);
    expect(third.created).to.equal(true);
    expect(retry).to.deep.equal({ ...first!, created: false });
    expect(await sentCount()).to.equal(3);
  });

  it('refuses a v1 client id used again for other text, in flight or stored, and answers the same text with the first', async () => {
    const refusal = (body: string) =>
      sendMessage(store, sendGuard(runner), text(body, 'key'), {}, V1).then(
        () => 'accepted',
        (error: unknown) => (error instanceof CommandRefused ? error.code : String(error)),
      );
    const first = sendMessage(store, sendGuard(runner), text('one', 'key'), {}, V1);
    expect(await refusal('other, in flight')).to.equal('client_id_reused');
    const sent = await first;
    await runner.waitFor(sent.position);
    expect(await refusal('other, stored')).to.equal('client_id_reused');
    expect(await sendMessage(store, sendGuard(runner), text('one', 'key'), {}, V1)).to.deep.equal({ ...sent, created: false });
    expect(await sentCount()).to.equal(1);
  });

  it('refuses non-members, unknown rooms and bad texts without appending', async () => {
    const refusal = (send: SendMessage) =>
      sendMessage(store, sendGuard(runner), send, {}, IM).then(
        () => 'accepted',
        (error: unknown) => (error instanceof CommandRefused ? error.code : String(error)),
      );
    expect(await refusal(text('hi', null, bob))).to.equal('not_a_member');
    expect(await refusal({ ...text('hi'), roomId: 999 })).to.equal('room_not_found');
    expect(await refusal(text(''))).to.equal('invalid_text');
    expect(await refusal(text('x', 'y'.repeat(129)))).to.equal('invalid_client_id');
    expect(await refusal({ ...text('x'), kind: 'audio' })).to.equal('invalid_media');
    expect(await sentCount()).to.equal(0);
  });
});
