import type { CrashWorld, Outcome, WorldGroup, WorldUser } from './crash-world.js';
import type { HttpsClient } from './https-client.js';
import type { V1Message, V1Room } from './rooms.js';
import { parseToml } from './toml.js';

/** What a restarted server shows of the world: what is wrong, and how many operations were found. */
export interface CrashCheck {
  problems: string[];
  /** Acknowledged operations, and how many of them were found. */
  acked: number;
  ackedFound: number;
  /** Unanswered operations found wholly done, and found not done at all. */
  unansweredDone: number;
  unansweredAbsent: number;
}

type Relation = 'contacts' | 'asked' | 'was asked' | 'strangers';

/**
 * Reads a restarted server as the world's own users (and a viewer for searches) and holds it
 * to the record: every acknowledged operation is there, nothing is there twice, and every
 * unanswered one is wholly done (then the world learns its ids) or wholly absent.
 */
export async function checkWorld(client: HttpsClient, world: CrashWorld, viewer: string): Promise<CrashCheck> {
  const check: CrashCheck = { problems: [], acked: 0, ackedFound: 0, unansweredDone: 0, unansweredAbsent: 0 };
  const count = (outcome: Outcome, found: boolean) => {
    if (outcome === 'acked') {
      check.acked += 1;
      if (found) check.ackedFound += 1;
    } else if (outcome === 'unanswered') {
      if (found) check.unansweredDone += 1;
      else check.unansweredAbsent += 1;
    }
  };
  const get = async <T>(path: string, token: string): Promise<T> => (await client.json('GET', path, undefined, token)).body as T;

  for (const user of world.users) {
    const found = (await get<Array<{ id: number; login: string }>>(`/v1/users?q=${encodeURIComponent(user.login)}`, viewer)).filter(
      (each) => each.login === user.login,
    );
    count(user.registered, found.length > 0);
    if (found.length > 1) check.problems.push(`user ${user.login} exists ${found.length} times`);
    if (found.length === 0) {
      if (user.registered === 'acked') check.problems.push(`user ${user.login} was registered, and is lost`);
      continue;
    }
    user.id = found[0]!.id;
    if (user.token !== null && (await get<{ id?: number }>('/v1/info', user.token)).id !== user.id)
      check.problems.push(`the session of ${user.login} is lost`);
    if (user.token === null) user.token = await signIn(client, user);
    if (user.token === null) check.problems.push(`user ${user.login} exists but cannot sign in: half registered`);
  }

  const relations = new Map<WorldUser, { contacts: number[]; sent: number[]; received: number[] }>();
  const relation = async (user: WorldUser, other: WorldUser): Promise<Relation> => {
    let known = relations.get(user);
    if (!known) {
      const contacts = await get<{ contacts: Array<{ id: number }> }>('/v1/contacts', user.token!);
      const requests = await get<{ sent: Array<{ user_id: number }>; received: Array<{ user_id: number }> }>(
        '/v1/contacts/requests',
        user.token!,
      );
      known = {
        contacts: contacts.contacts.map((c) => c.id),
        sent: requests.sent.map((r) => r.user_id),
        received: requests.received.map((r) => r.user_id),
      };
      relations.set(user, known);
    }
    if (known.contacts.includes(other.id!)) return 'contacts';
    if (known.sent.includes(other.id!)) return 'asked';
    return known.received.includes(other.id!) ? 'was asked' : 'strangers';
  };
  for (const contact of world.contacts) {
    const { from, to } = contact;
    if (from.token === null || to.token === null) continue;
    const [ours, theirs] = [await relation(from, to), await relation(to, from)];
    const label = `contact ${from.login} -> ${to.login}`;
    const consistent =
      (ours === 'contacts' && theirs === 'contacts') ||
      (ours === 'asked' && theirs === 'was asked') ||
      (ours === 'strangers' && theirs === 'strangers');
    if (!consistent) check.problems.push(`${label} is half there: ${ours} on one side, ${theirs} on the other`);
    count(contact.requested, ours !== 'strangers');
    if (contact.accepted) count(contact.accepted, ours === 'contacts');
    if (contact.requested === 'acked' && ours === 'strangers') check.problems.push(`${label}: the request was acknowledged, and is lost`);
    if (contact.accepted === 'acked' && ours !== 'contacts') check.problems.push(`${label}: the acceptance was acknowledged, and is lost`);
  }

  const rooms = new Map<WorldUser, V1Room[]>();
  const roomsOf = async (user: WorldUser) => rooms.get(user) ?? rooms.set(user, await get<V1Room[]>('/v1/rooms', user.token!)).get(user)!;
  for (const group of world.groups) await checkGroup(group, roomsOf, check.problems, count);

  const histories = new Map<number, V1Message[]>();
  for (const group of world.createdGroups) {
    if (group.creator.token === null) continue;
    const history = await fullHistory(client, group.id!, group.creator.token);
    histories.set(group.id!, history);
    const keys = history.map((message) => `${message.user_id}:${message.client_id ?? message.id}`);
    if (new Set(keys).size !== keys.length) check.problems.push(`group ${group.name} holds a message twice`);
  }
  for (const message of world.messages) {
    const history = message.group.id === null ? [] : (histories.get(message.group.id) ?? []);
    const stored = history.filter((each) => each.client_id === message.clientId && each.user_id === message.sender.id);
    count(message.sent, stored.length > 0);
    const label = `${message.path} message ${message.clientId}`;
    if (message.sent === 'acked' && stored.length === 0) check.problems.push(`${label} was acknowledged, and is lost`);
    if (message.sent === 'acked' && stored[0] && stored[0].id !== message.id)
      check.problems.push(`${label} was acknowledged as ${message.id}, and is ${stored[0].id}`);
    if (stored[0] && stored[0].text !== message.text) check.problems.push(`${label} reads ${JSON.stringify(stored[0].text)}`);
    if (stored[0]) message.id = stored[0].id;
  }
  return check;
}

/** A group wholly created (every member in, seen from every side) or wholly absent. */
async function checkGroup(
  group: WorldGroup,
  roomsOf: (user: WorldUser) => Promise<V1Room[]>,
  problems: string[],
  count: (outcome: Outcome, found: boolean) => void,
): Promise<void> {
  if (group.creator.token === null) return;
  const found = (await roomsOf(group.creator)).filter((room) => room.name === group.name);
  count(group.created, found.length > 0);
  if (found.length > 1) problems.push(`group ${group.name} exists ${found.length} times`);
  const [room] = found;
  if (!room) {
    if (group.created === 'acked') problems.push(`group ${group.name} was created, and is lost`);
    group.id = null;
    return;
  }
  if (group.id !== null && group.id !== room.id) problems.push(`group ${group.name} was created as ${group.id}, and is ${room.id}`);
  group.id = room.id;
  const expected = [group.creator, ...group.members].map((user) => user.id!).sort((a, b) => a - b);
  const actual = room.users.map((user) => user.id).sort((a, b) => a - b);
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    problems.push(`group ${group.name} is half created: members ${actual.join(',')}, expected ${expected.join(',')}`);
  for (const member of group.members) {
    if (member.token !== null && !(await roomsOf(member)).some((each) => each.id === room.id))
      problems.push(`group ${group.name} is missing from the rooms of ${member.login}`);
  }
}

/** Every message of a room, oldest first, page by page. */
export async function fullHistory(client: HttpsClient, roomId: number, token: string): Promise<V1Message[]> {
  const messages: V1Message[] = [];
  for (let before = ''; ;) {
    const page = (await client.json('GET', `/v1/rooms/${roomId}/messages?limit=200${before}`, undefined, token)).body as V1Message[];
    messages.unshift(...page);
    if (page.length < 200) return messages;
    before = `&before=${page[0]!.id}`;
  }
}

/** Signs a user in again in its dialect: the session token, or null. */
async function signIn(client: HttpsClient, user: WorldUser): Promise<string | null> {
  if (user.dialect === 'v1') {
    const answer = await client.json('POST', '/v1/login', { login: user.login, password: user.password });
    return answer.status === 200 ? (answer.body as { session_id: string }).session_id : null;
  }
  const [response] =
    parseToml((await client.form('POST', '/server/login', { phone: user.phone!, password: user.password, device: 'crash' })).text)[
      'response'
    ] ?? [];
  return (response?.['user'] as { token?: string } | undefined)?.token ?? null;
}
