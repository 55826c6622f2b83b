import { expect } from 'chai';
import { jsonLines, runCli } from '../support/cli.js';
import { preparedData, type PreparedData } from '../support/prepared-data.js';
import type { RoomSnapshot } from '../support/workload.js';

/** `eschat audit ...` run as a user runs it, against the data directory of a server that wrote a workload and stopped. */
describe('eschat audit', function () {
  this.timeout(60_000);
  let data: PreparedData;
  /** A group, and a moment in the middle of its changes. */
  let roomId: number;
  let middle: RoomSnapshot;

  before(async () => {
    data = await preparedData();
    const [id, snapshots] = [...data.workload.rooms].find(([, each]) => each[0]!.kind === 'group' && each.length > 4)!;
    roomId = id;
    middle = snapshots[Math.floor(snapshots.length / 2)]!;
  });
  after(() => data.remove());

  const audit = (...args: string[]) => runCli(data.dataDir, ['audit', ...args]);
  const labelOf = (id: number) => {
    const user = data.workload.users.find((each) => each.id === id)!;
    return `${user.handle} (#${id})`;
  };

  it('room --at <position> --json: the room then, and its timeline up to then', async () => {
    const run = await audit('room', String(roomId), '--at', String(middle.position), '--json');
    expect(run.code, run.stderr).to.equal(0);
    const [room, ...timeline] = jsonLines(run);
    expect(room).to.include({ type: 'Room', roomId, name: middle.name, deleted: false, asOf: `position ${middle.position}` });
    expect((room!['members'] as Array<{ id: number }>).map((member) => member.id)).to.deep.equal(middle.members);
    const messages = data.workload.messages.filter((message) => message.roomId === roomId && message.id <= middle.position);
    expect(room!['messages']).to.equal(messages.length);
    const sent = timeline.filter((entry) => entry['type'] === 'MessageSent');
    expect(sent.map((entry) => entry['position'])).to.deep.equal(messages.map((message) => message.id));
    expect(sent.every((entry) => (entry['data'] as { text: string }).text === '[hidden]')).to.equal(true);
    expect(timeline.every((entry) => (entry['position'] as number) <= middle.position)).to.equal(true);
  });

  it('room --at <time>: aligned tables naming who was in the room then, the last --limit rows, without colour or progress off a terminal', async () => {
    const run = await audit('room', String(roomId), '--at', middle.time, '--limit', '3');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.equal('');
    expect(run.stdout).to.not.include('\u001b[');
    expect(run.stdout).to.include(`Room ${roomId} as of ${middle.time}`);
    const lines = run.stdout.split('\n');
    const membersRow = lines.find((line) => /│ members\s+│/.test(line))!;
    for (const user of data.workload.users) {
      expect(membersRow.includes(labelOf(user.id)), user.handle).to.equal(middle.members.includes(user.id));
    }
    const messages = data.workload.messages.filter((message) => message.roomId === roomId && message.id <= middle.position);
    expect(messages.length).to.be.greaterThan(3);
    const shown = lines.slice(lines.findIndex((line) => line.startsWith('Messages'))).filter((line) => /^│ \d+/.test(line));
    expect(shown.map((line) => Number(/^│ (\d+)/.exec(line)![1]))).to.deep.equal(messages.slice(-3).map((message) => message.id));
    expect(run.stdout).to.include(`(${messages.length - 3} earlier rows not shown`);
    const rows = lines.filter((line) => line.startsWith('│'));
    expect(new Set(rows.map((line) => line.length)).size, 'each table is aligned: one width per table').to.be.at.most(3);
  });

  it('user --json: everything by or about them in log order, texts only --with-content', async () => {
    const user = data.workload.users[1]!;
    const mine = data.workload.messages.filter((message) => message.sender === user.id);
    const hidden = jsonLines(await audit('user', String(user.id), '--json'));
    expect(hidden[0]).to.include({ type: 'User', id: user.id, login: user.handle });
    const hiddenTexts = hidden.filter((entry) => entry['type'] === 'MessageSent').map((entry) => (entry['data'] as { text: string }).text);
    expect(hiddenTexts).to.deep.equal(mine.map(() => '[hidden]'));
    const shown = jsonLines(await audit('user', String(user.id), '--json', '--with-content'));
    const texts = shown.filter((entry) => entry['type'] === 'MessageSent').map((entry) => (entry['data'] as { text: string }).text);
    expect(texts).to.deep.equal(mine.map((message) => message.text));
    expect(shown.slice(1).map((entry) => entry['type'])).to.include.members(['UserRegistered', 'SessionStarted', 'RoomMemberJoined']);
  });

  it('message: the message and who was in its room when it was sent', async () => {
    const message = data.workload.messages.find((each) => each.roomId === roomId)!;
    const plain = await audit('message', String(message.id));
    expect(plain.code, plain.stderr).to.equal(0);
    expect(plain.stdout).to.include(`Message ${message.id}`).and.include(labelOf(message.sender)).and.not.include(message.text);
    const withText = await audit('message', String(message.id), '--with-content', '--json');
    const [line] = jsonLines(withText);
    expect(line).to.include({ position: message.id, type: 'MessageSent' });
    expect((line!['data'] as { text: string }).text).to.equal(message.text);
    const members = (line!['room'] as { members: Array<{ id: number }> }).members.map((member) => member.id);
    const then = data.workload.rooms
      .get(roomId)!
      .filter((snapshot) => snapshot.position < message.id)
      .at(-1)!;
    expect(members).to.deep.equal(then.members);
  });

  it('stream: every event of one stream', async () => {
    const lines = jsonLines(await audit('stream', `room-${roomId}`, '--json'));
    expect(lines[0]).to.include({ type: 'RoomCreated', stream: `room-${roomId}`, revision: 0 });
    expect(lines.map((line) => line['revision'])).to.deep.equal(lines.map((_line, index) => index));
  });

  it('says what is missing or wrong, with exit code 1 or 2', async () => {
    const missing = await audit('user', '999');
    expect([missing.code, missing.stderr.trim()]).to.deep.equal([1, 'eschat: no user 999 in the log']);
    const early = await audit('room', String(roomId), '--at', '1');
    expect([early.code, early.stderr.trim()]).to.deep.equal([1, `eschat: no room ${roomId} in the log at 1`]);
    const badMoment = await audit('room', String(roomId), '--at', 'yesterday');
    expect(badMoment.code).to.equal(2);
    expect(badMoment.stderr).to.match(/--at expects an ISO-8601 time/);
    const noLog = await runCli(data.dataDir, ['audit', 'user', '1', '--data-dir', `${data.dataDir}/nowhere`]);
    expect(noLog.code).to.equal(2);
    expect(noLog.stderr).to.match(/no event log at .*nowhere/);
  });
});
