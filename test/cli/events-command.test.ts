import { expect } from 'chai';
import { startCli } from '../support/cli.js';
import { preparedData, type PreparedData } from '../support/prepared-data.js';
import { startTestServer } from '../support/test-server.js';
import { v1User } from '../support/users.js';

describe('eschat events tail', function () {
  this.timeout(60_000);
  let data: PreparedData;
  before(async () => {
    data = await preparedData();
  });
  after(() => data.remove());

  it('prints the recent events, then follows what a running server appends until Ctrl-C', async () => {
    // SQLite lets the server and the tail share the file.
    const t = await startTestServer({}, data.dataDir);
    const tail = startCli(data.dataDir, ['events', 'tail', '-n', '3', '--json']);
    try {
      const recent = (await tail.lines(3)).map((line) => JSON.parse(line) as { position: number });
      expect(recent.map((event) => event.position)).to.deep.equal([data.workload.head - 2, data.workload.head - 1, data.workload.head]);
      const newcomer = await v1User(t, 'newcomer');
      const lines = (await tail.lines(6))
        .slice(3)
        .map((line) => JSON.parse(line) as { type: string; position: number; summary: string; data: Record<string, unknown> });
      // Registering is a login claim, the registration, then the first session.
      expect(lines.map((event) => event.type)).to.deep.equal(['ValueClaimed', 'UserRegistered', 'SessionStarted']);
      expect(lines[0]!.position).to.equal(data.workload.head + 1);
      expect(lines[1]!.summary).to.equal(`newcomer (#${newcomer.id}) registered as "newcomer" (login "newcomer")`);
      expect(lines[1]!.data['passwordHash']).to.equal('[redacted]');
      expect(await tail.interrupt()).to.equal(0);
    } finally {
      tail.child.kill();
      await t.stop(true);
    }
  });

  it('filters by type and by user (by or about them)', async () => {
    const user = data.workload.users[2]!;
    const tail = startCli(data.dataDir, ['events', 'tail', '-n', '5', '--type', 'MessageSent', '--user', String(user.id), '--json']);
    try {
      const lines = (await tail.lines(5)).map((line) => JSON.parse(line) as { type: string; position: number });
      expect(await tail.interrupt()).to.equal(0);
      const sent = data.workload.messages.filter((message) => message.sender === user.id).slice(-5);
      expect(lines.map((line) => [line.type, line.position])).to.deep.equal(sent.map((message) => ['MessageSent', message.id]));
    } finally {
      tail.child.kill();
    }
  });

  it('filters by stream prefix, as aligned rows under a header', async () => {
    const tail = startCli(data.dataDir, ['events', 'tail', '-n', '4', '--stream', 'room-']);
    try {
      const [header, ...rows] = await tail.lines(5);
      expect(await tail.interrupt()).to.equal(0);
      expect(header).to.match(/^pos\s+time\s+stream\s+event\s+from\s+what/);
      for (const row of rows) expect(row).to.match(/^\d+\s+\S+Z\s+room-\d+\s+Room\w+\s/);
      const starts = (line: string, word: string) => line.indexOf(word);
      expect(rows.map((row) => starts(row, 'room-'))).to.deep.equal(rows.map(() => starts(header!, 'stream')));
    } finally {
      tail.child.kill();
    }
  });
});
