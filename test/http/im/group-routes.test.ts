import { expect } from 'chai';
import type { V1Room } from '../../support/rooms.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { responseOf } from '../../support/toml.js';
import { imUser, type TestUser } from '../../support/users.js';

describe('im groups', () => {
  let t: TestServer;
  let owner: TestUser;
  let second: TestUser;
  let third: TestUser;
  before(async () => {
    t = await startTestServer();
    owner = await imUser(t, 'owner', '8613100000001');
    second = await imUser(t, 'second', '8613100000002');
    third = await imUser(t, 'third', '8613100000003');
  });
  after(() => t.stop());

  const answer = async (method: string, path: string, fields: Record<string, string | string[]>, user: TestUser) => {
    const reply = await t.client.form(method, path, fields, user.token);
    expect(reply.status, 'im answers HTTP 200').to.equal(200);
    return responseOf(reply.text);
  };
  const members = async (group: number, user: TestUser) =>
    ((await t.client.json('GET', `/v1/rooms/${group}`, undefined, user.token)).body as V1Room).users.map((u) => u.id);

  async function createGroup(members: TestUser[] = [second]): Promise<{ id: number; key: string }> {
    const created = await answer('POST', '/group', { name: 'group1', 'members[]': members.map((member) => String(member.id)) }, owner);
    expect(created['status'], JSON.stringify(created)).to.equal(0);
    return created['group'] as { id: number; key: string };
  }

  it('POST /group answers status 0 with the group id and key; the creator and members are in it', async () => {
    const group = await createGroup([second, second, owner]);
    expect(group.id).to.be.a('number');
    expect(group.key).to.match(/^[A-Za-z0-9_-]{16}$/);
    expect(await members(group.id, second)).to.deep.equal([owner.id, second.id]);
  });

  it('POST /group takes more members[] than a form parser lists by default (20)', async () => {
    const many: TestUser[] = [];
    for (let i = 10; i < 35; i++) many.push(await imUser(t, `many${i}`, `86131000000${i}`));
    const group = await createGroup(many);
    expect(await members(group.id, owner)).to.have.length(26);
  });

  it('POST /group names what is missing or wrong', async () => {
    expect(await answer('POST', '/group', { 'members[]': [String(second.id)] }, owner)).to.deep.equal({
      status: 3,
      reason: 'name Required',
    });
    expect(await answer('POST', '/group', { name: 'g' }, owner)).to.deep.equal({ status: 3, reason: 'members Required!' });
    expect(await answer('POST', '/group', { name: 'g', 'members[]': ['abc'] }, owner)).to.deep.equal({
      status: 3,
      reason: 'User Not Exist!',
    });
    expect(await answer('POST', '/group', { name: 'g', 'members[]': ['999999'] }, owner)).to.deep.equal({
      status: 3,
      reason: 'User Not Exist!',
    });
    expect(await answer('POST', '/group', { name: 'x'.repeat(65), 'members[]': [String(second.id)] }, owner)).to.deep.equal({
      status: 3,
      reason: 'Invalid name',
    });
    expect(await answer('POST', '/group', { name: 'g', 'members[]': [String(second.id)] }, { id: 0, token: 'bogus' })).to.deep.equal({
      status: 1,
      reason: 'Token error',
    });
  });

  it('DELETE /group/:gid: only the creator; unknown and malformed ids are "Group Not Exist!"', async () => {
    const group = await createGroup();
    expect(await answer('DELETE', `/group/${group.id}`, {}, second)).to.deep.equal({ status: 3, reason: 'Unauthorized' });
    expect(await answer('DELETE', `/group/${group.id}`, {}, owner)).to.deep.equal({ status: 0 });
    expect(await answer('DELETE', `/group/${group.id}`, {}, owner)).to.deep.equal({ status: 3, reason: 'Group Not Exist!' });
    expect(await answer('DELETE', '/group/99999', {}, owner)).to.deep.equal({ status: 3, reason: 'Group Not Exist!' });
    expect(await answer('DELETE', '/group/abc', {}, owner)).to.deep.equal({ status: 3, reason: 'Group Not Exist!' });
  });

  it('POST /group/:gid/member joins with g_key, with the original statuses and reasons', async () => {
    const group = await createGroup();
    expect(await answer('POST', `/group/${group.id}/member`, {}, third)).to.deep.equal({ status: 3, reason: 'g_key Required' });
    expect(await answer('POST', '/group/99999/member', { g_key: group.key }, third)).to.deep.equal({
      status: 3,
      reason: 'Group Not Exist!',
    });
    expect(await answer('POST', `/group/${group.id}/member`, { g_key: 'PLwXRfpe7zFl3FWN' }, third)).to.deep.equal({
      status: 3,
      reason: 'Unauthorized',
    });
    expect(await answer('POST', `/group/${group.id}/member`, { g_key: group.key }, third)).to.deep.equal({ status: 0 });
    expect(await answer('POST', `/group/${group.id}/member`, { g_key: group.key }, third)).to.deep.equal({
      status: 3,
      reason: 'Unknow Error',
    });
    expect(await members(group.id, third)).to.deep.equal([owner.id, second.id, third.id]);
  });

  it('POST /group/:gid/member/:uid: the creator adds; others are unauthorized; unknown users are named', async () => {
    const group = await createGroup();
    expect(await answer('POST', `/group/${group.id}/member/${third.id}`, {}, second)).to.deep.equal({ status: 3, reason: 'Unauthorized' });
    expect(await answer('POST', `/group/${group.id}/member/${third.id}`, {}, owner)).to.deep.equal({ status: 0 });
    expect(await answer('POST', `/group/${group.id}/member/${third.id}`, {}, owner)).to.deep.equal({ status: 3, reason: 'Unknow Error' });
    expect(await answer('POST', `/group/${group.id}/member/999999`, {}, owner)).to.deep.equal({ status: 3, reason: 'User Not Exist!' });
    expect(await answer('POST', `/group/${group.id}/member/x`, {}, owner)).to.deep.equal({ status: 3, reason: 'User Not Exist!' });
    expect(await answer('POST', `/group/99999/member/${third.id}`, {}, owner)).to.deep.equal({ status: 3, reason: 'Group Not Exist!' });
  });

  it('DELETE /group/:gid/member leaves, and answers status 0 whatever the case, as the original', async () => {
    const group = await createGroup([second, third]);
    expect(await answer('DELETE', `/group/${group.id}/member`, {}, third)).to.deep.equal({ status: 0 });
    expect(await members(group.id, owner)).to.deep.equal([owner.id, second.id]);
    expect(await answer('DELETE', `/group/${group.id}/member`, {}, third)).to.deep.equal({ status: 0 });
    expect(await answer('DELETE', '/group/99999/member', {}, third)).to.deep.equal({ status: 0 });
    expect(await answer('DELETE', '/group/nope/member', {}, third)).to.deep.equal({ status: 0 });
  });

  it('a group made in im is a room in v1, and the other way round', async () => {
    const group = await createGroup();
    const rooms = (await t.client.json('GET', '/v1/rooms', undefined, second.token)).body as V1Room[];
    expect(rooms.find((room) => room.id === group.id)).to.deep.include({ kind: 'group', name: 'group1', key: group.key });
    const v1Made = (await t.client.json('POST', '/v1/groups', { name: 'web', members: [] }, owner.token)).body as V1Room;
    expect(await answer('POST', `/group/${v1Made.id}/member`, { g_key: v1Made.key! }, third)).to.deep.equal({ status: 0 });
  });
});
