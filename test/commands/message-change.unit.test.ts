import { expect } from 'chai';
import { Refusal } from '../../src/commands/decider.js';
import { messageChangeDecider, type MessageChangeCommand, type MessageChangeState } from '../../src/commands/message-change.js';
import type { RoomState } from '../../src/commands/room.js';

const ANN = 1;
const BOB = 2;
const EVE = 3;
const group: RoomState = { status: 'active', roomId: 7, kind: 'group', creator: ANN, key: null, members: [ANN, BOB] };
const fresh = messageChangeDecider.initialState;

function command(overrides: Partial<MessageChangeCommand> = {}): MessageChangeCommand {
  return {
    change: { kind: 'edit', text: 'new' },
    roomId: 7,
    messageId: 100,
    actor: BOB,
    original: { roomId: 7, sender: BOB, kind: 'text', text: 'old' },
    room: group,
    ...overrides,
  };
}

const outcome = (state: MessageChangeState, given: MessageChangeCommand): string => {
  const decision = messageChangeDecider.decide(state, given);
  return decision instanceof Refusal ? decision.code : decision.map((event) => event.type).join(',') || 'nothing';
};

describe('messageChangeDecider', () => {
  it('lets the sender edit a text, and records the new text with the message and room', () => {
    expect(messageChangeDecider.decide(fresh, command())).to.deep.equal([
      { type: 'MessageEdited', data: { roomId: 7, messageId: 100, sender: BOB, text: 'new' } },
    ]);
  });

  it('records nothing for an edit to the text the message has now (a retry)', () => {
    expect(outcome(fresh, command({ change: { kind: 'edit', text: 'old' } }))).to.equal('nothing');
    const edited = messageChangeDecider.evolve(fresh, {
      type: 'MessageEdited',
      data: { roomId: 7, messageId: 100, sender: BOB, text: 'new' },
    });
    expect(outcome(edited, command())).to.equal('nothing');
    expect(outcome(edited, command({ change: { kind: 'edit', text: 'old' } }))).to.equal('MessageEdited');
  });

  it("refuses editing someone else's message, even for the group's creator", () => {
    expect(outcome(fresh, command({ actor: ANN }))).to.equal('forbidden');
  });

  it('refuses media, invalid texts, and messages not in the room or not there', () => {
    expect(outcome(fresh, command({ original: { roomId: 7, sender: BOB, kind: 'image', text: null } }))).to.equal('not_editable');
    expect(outcome(fresh, command({ change: { kind: 'edit', text: '' } }))).to.equal('invalid_text');
    expect(outcome(fresh, command({ change: { kind: 'edit', text: 'x'.repeat(10_001) } }))).to.equal('invalid_text');
    expect(outcome(fresh, command({ original: null }))).to.equal('message_not_found');
    expect(outcome(fresh, command({ original: { roomId: 8, sender: BOB, kind: 'text', text: 'old' } }))).to.equal('message_not_found');
  });

  it('refuses whoever is not in the room now, and a room that is gone', () => {
    expect(outcome(fresh, command({ room: { ...group, members: [ANN] } }))).to.equal('not_a_member');
    expect(outcome(fresh, command({ actor: EVE, change: { kind: 'delete' } }))).to.equal('not_a_member');
    expect(outcome(fresh, command({ room: { ...group, status: 'deleted' } }))).to.equal('room_not_found');
  });

  it("lets the sender and the group's creator delete, nobody else, and a deleted message is not found", () => {
    const deleteBy = (actor: number, room = group, original = command().original) =>
      outcome(fresh, command({ actor, room, original, change: { kind: 'delete' } }));
    expect(deleteBy(BOB)).to.equal('MessageDeleted');
    expect(deleteBy(ANN), 'the creator').to.equal('MessageDeleted');
    expect(deleteBy(BOB, group, { roomId: 7, sender: ANN, kind: 'text', text: 'x' }), "a member, the creator's message").to.equal(
      'forbidden',
    );
    const direct: RoomState = { ...group, kind: 'direct' };
    expect(deleteBy(ANN, direct), 'the one who opened a direct room owns nothing of it').to.equal('forbidden');
    const deleted = messageChangeDecider.evolve(fresh, {
      type: 'MessageDeleted',
      data: { roomId: 7, messageId: 100, sender: BOB, by: BOB },
    });
    expect(outcome(deleted, command({ change: { kind: 'delete' } }))).to.equal('message_not_found');
    expect(outcome(deleted, command())).to.equal('message_not_found');
  });
});
