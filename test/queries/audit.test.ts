import { expect } from 'chai';
import { auditMessage } from '../../src/queries/audit/message.js';
import { parseMoment } from '../../src/queries/audit/moment.js';
import { auditRoom } from '../../src/queries/audit/room.js';
import { auditStream } from '../../src/queries/audit/stream.js';
import { auditUser } from '../../src/queries/audit/user.js';
import { HIDDEN, REDACTED } from '../../src/queries/audit/redaction.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { runWorkload, type Workload } from '../support/workload.js';

/**
 * Audit computed from the log: what a room was at any moment the workload recorded (by
 * position and by time), everything by or about a user, one message, one stream.
 */
describe('audit from the log', function () {
  this.timeout(60_000);
  let t: TestServer;
  let workload: Workload;
  let startedAt: Date;

  before(async () => {
    startedAt = new Date(Date.now() - 1);
    t = await startTestServer();
    workload = await runWorkload(t, { users: 8, contactOperations: 12, groups: 3, changesPerGroup: 8, messages: 300, seed: 11 });
  });
  after(() => t.stop());

  const messagesUpTo = (roomId: number, position: number) =>
    workload.messages.filter((message) => message.roomId === roomId && message.id <= position);

  describe('audit room --at', () => {
    it('answers what each room was at every recorded moment, by position', async () => {
      let checked = 0;
      for (const [roomId, snapshots] of workload.rooms) {
        for (const snapshot of snapshots) {
          const audit = await auditRoom(t.server.store, roomId, { moment: { position: snapshot.position }, withContent: true });
          expect(audit, `room ${roomId} at ${snapshot.position}`).to.not.equal(null);
          const { room } = audit!;
          expect(
            { members: room.members.map((member) => member.id), name: room.name, kind: room.kind, deleted: room.deleted },
            `room ${roomId} at ${snapshot.position}`,
          ).to.deep.equal({
            members: snapshot.members,
            name: snapshot.name,
            kind: snapshot.kind,
            deleted: snapshot.deleted,
          });
          expect(audit!.messages.map((entry) => entry.data['text'])).to.deep.equal(
            messagesUpTo(roomId, snapshot.position).map((message) => message.text),
          );
          checked += 1;
        }
      }
      expect(checked).to.be.greaterThan(25);
    });

    it('answers the same by time', async () => {
      for (const [roomId, snapshots] of workload.rooms) {
        for (const snapshot of snapshots) {
          const audit = await auditRoom(t.server.store, roomId, { moment: parseMoment(snapshot.time), withContent: false });
          expect(
            audit!.room.members.map((member) => member.id),
            `room ${roomId} at ${snapshot.time}`,
          ).to.deep.equal(snapshot.members);
          expect(audit!.room.deleted).to.equal(snapshot.deleted);
          expect(audit!.messages).to.have.length(messagesUpTo(roomId, snapshot.position).length);
        }
      }
    });

    it('knows no room before its creation, and counts key rotations and history', async () => {
      const [roomId, snapshots] = [...workload.rooms].find(([, each]) => each[0]!.kind === 'group')!;
      expect(await auditRoom(t.server.store, roomId, { moment: { time: startedAt }, withContent: false })).to.equal(null);
      const now = await auditRoom(t.server.store, roomId, { withContent: false });
      const history = await auditStream(t.server.store, `room-${roomId}`, { withContent: false });
      expect(now!.history.map((entry) => entry.position)).to.deep.equal(history.map((entry) => entry.position));
      expect(now!.room.keyRotations).to.equal(history.filter((entry) => entry.type === 'RoomKeyRotated').length);
      expect(now!.history.filter((entry) => entry.type !== 'RoomKeyRotated' && entry.type !== 'RoomMemberJoined')).to.not.have.length(0);
      expect(now!.room.members.map((member) => member.id)).to.deep.equal(snapshots.at(-1)!.members);
      expect(now!.room.creator.label).to.match(/^(w\d\d|im\d+) \(#\d+\)$/);
      // Invite keys are credentials: never shown.
      expect(history[0]!.data['key']).to.equal(REDACTED);
    });
  });

  describe('audit user', () => {
    it('gives everything by or about a user in log order: registration, sign-ins, contacts, rooms, messages', async () => {
      const user = workload.users[0]!;
      const audit = await auditUser(t.server.store, user.id, { withContent: false });
      expect(audit!.user).to.include({ id: user.id, login: user.handle });
      const types = audit!.entries.map((entry) => entry.type);
      expect(types[0]).to.equal('ValueClaimed');
      expect(types).to.include.members([
        'UserRegistered',
        'SessionStarted',
        'ContactRequested',
        'RoomCreated',
        'RoomMemberJoined',
        'MessageSent',
      ]);
      const positions = audit!.entries.map((entry) => entry.position);
      expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
      const sent = audit!.entries.filter((entry) => entry.type === 'MessageSent');
      expect(sent).to.have.length(workload.messages.filter((message) => message.sender === user.id).length);
      expect(sent.every((entry) => entry.data['text'] === HIDDEN && !entry.summary.includes('"'))).to.equal(true);
      const signIns = audit!.entries.filter((entry) => entry.type === 'SessionStarted');
      expect(signIns.map((entry) => entry.data['device'])).to.deep.equal(['v1', 'tablet']);
      expect(signIns.every((entry) => entry.data['address'] !== null && entry.data['tokenHash'] === REDACTED)).to.equal(true);
      expect(signIns[1]!.summary).to.match(/^w00 \(#\d+\) signed in on "tablet" \(v1\) from \S+$/);
    });

    it('shows message texts only with content, and stops at --at', async () => {
      const sender = workload.messages[workload.messages.length - 1]!.sender;
      const full = await auditUser(t.server.store, sender, { withContent: true });
      const texts = full!.entries.filter((entry) => entry.type === 'MessageSent').map((entry) => entry.data['text']);
      expect(texts).to.deep.equal(workload.messages.filter((message) => message.sender === sender).map((message) => message.text));
      const middle = full!.entries[Math.floor(full!.entries.length / 2)]!.position;
      const then = await auditUser(t.server.store, sender, { withContent: false, moment: { position: middle } });
      expect(then!.entries.map((entry) => entry.position)).to.deep.equal(
        full!.entries.filter((entry) => entry.position <= middle).map((entry) => entry.position),
      );
    });

    it('knows no user that was never registered', async () => {
      expect(await auditUser(t.server.store, 9999, { withContent: false })).to.equal(null);
    });
  });

  describe('audit message', () => {
    it('finds a message by its id, with the room as it was when it was sent', async () => {
      const message = workload.messages[5]!;
      const audit = await auditMessage(t.server.store, message.id, { withContent: true });
      expect(audit!.message).to.include({ position: message.id, type: 'MessageSent' });
      expect(audit!.message.data).to.include({ text: message.text, sender: message.sender, roomId: message.roomId });
      const snapshots = workload.rooms.get(message.roomId)!;
      const then = snapshots.filter((snapshot) => snapshot.position < message.id).at(-1)!;
      expect(audit!.room!.members.map((member) => member.id)).to.deep.equal(then.members);
      expect(
        await auditMessage(t.server.store, workload.rooms.get(message.roomId)![0]!.position, { withContent: false }),
        'not a message',
      ).to.equal(null);
    });
  });
});
