import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Random } from '../codecs/im/random.js';
import type { CrashWorld, Outcome, WorldContact, WorldGroup, WorldUser } from './crash-world.js';
import { ImClient } from './im-client.js';
import type { ServerProcess } from './spawn-server.js';
import { testCertificates } from './test-server.js';
import { parseToml } from './toml.js';

/** The device every IM message of the workload is sent from: a retry must come from it too. */
export const IM_DEVICE = 'crash-im';

export interface Workload {
  /** No new operation starts; those under way are left to the kill. */
  halt(): void;
  /** Resolves once every operation has ended, answered or not. */
  settled(): Promise<void>;
}

/** A v1 answer as an outcome (and its body), or unanswered when the connection broke. */
async function v1Outcome(answer: Promise<{ status: number; body: unknown }>): Promise<{ outcome: Outcome; body: unknown }> {
  try {
    const { status, body } = await answer;
    return { outcome: status === 200 ? 'acked' : 'refused', body };
  } catch {
    return { outcome: 'unanswered', body: undefined };
  }
}

/** An im answer as an outcome (and its response table). */
async function imOutcome(answer: Promise<{ text: string }>): Promise<{ outcome: Outcome; response: Record<string, unknown> }> {
  try {
    const [response = {}] = parseToml((await answer).text)['response'] ?? [];
    return { outcome: response['status'] === 0 ? 'acked' : 'refused', response };
  } catch {
    return { outcome: 'unanswered', response: {} };
  }
}

/** One of the items, or undefined when there is none yet (early in a run). */
function anyOf<T>(random: Random, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : random.pick(items);
}

const inGroup = (user: WorldUser, group: WorldGroup) => group.creator === user || group.members.includes(user);

/**
 * Clients registering, asking and accepting contacts, creating groups and sending messages in
 * both dialects over HTTP, and one sending IM messages over WebSocket, all at once and without
 * pause, recording in the world how each operation ended.
 */
export function startWorkload(server: ServerProcess, world: CrashWorld, random: Random, epoch: number): Workload {
  const client = server.client;
  let halted = false;
  let serial = 0;
  const next = () => `${epoch}-${(serial += 1)}`;

  async function register(dialect: WorldUser['dialect']): Promise<void> {
    const n = next();
    const user: WorldUser = {
      dialect,
      login: `crash-user-${n}-`,
      phone: dialect === 'im' ? `86${String(epoch).padStart(3, '0')}${String(serial).padStart(6, '0')}` : null,
      password: `pw "${n}"`,
      registered: 'unanswered',
      id: null,
      token: null,
    };
    world.users.push(user);
    if (dialect === 'v1') {
      const registered = await v1Outcome(client.json('POST', '/v1/register', { login: user.login, password: user.password }));
      user.registered = registered.outcome;
      if (registered.outcome !== 'acked') return;
      user.token = (registered.body as { session_id: string }).session_id;
      user.id = ((await v1Outcome(client.json('GET', '/v1/info', undefined, user.token))).body as { id?: number } | undefined)?.id ?? null;
      return;
    }
    const registered = await imOutcome(client.form('POST', '/user', { name: user.login, phone: user.phone!, password: user.password }));
    user.registered = registered.outcome;
    if (registered.outcome !== 'acked') return;
    user.id = (registered.response['user'] as { id: number }).id;
    user.token =
      (
        (await imOutcome(client.form('POST', '/server/login', { phone: user.phone!, password: user.password, device: 'crash' }))).response[
          'user'
        ] as { token?: string } | undefined
      )?.token ?? null;
  }

  async function askContact(): Promise<void> {
    const users = world.signedIn;
    const [from, to] = [anyOf(random, users), anyOf(random, users)];
    if (!from || !to || from === to || world.contacts.some((c) => (c.from === from && c.to === to) || (c.from === to && c.to === from)))
      return register('v1');
    const contact: WorldContact = { from, to, requested: 'unanswered', accepted: null };
    world.contacts.push(contact);
    const ask = `hello "${to.login}"`;
    contact.requested =
      from.dialect === 'v1'
        ? (await v1Outcome(client.json('POST', `/v1/contacts/${to.id}`, { ask }, from.token!))).outcome
        : (await imOutcome(client.form('POST', `/contact/${to.id}`, { ask }, from.token!))).outcome;
  }

  async function acceptContact(): Promise<void> {
    const contact = anyOf(
      random,
      world.contacts.filter((c) => c.requested === 'acked' && c.accepted === null && c.to.token !== null),
    );
    if (!contact) return askContact();
    contact.accepted = 'unanswered';
    const { from, to } = contact;
    contact.accepted =
      to.dialect === 'v1'
        ? (await v1Outcome(client.json('PUT', `/v1/contacts/${from.id}`, undefined, to.token!))).outcome
        : (await imOutcome(client.form('PUT', `/contact/${from.id}`, {}, to.token!))).outcome;
  }

  async function createGroup(imUser: WorldUser | null): Promise<void> {
    const creator = anyOf(random, world.signedIn);
    if (!creator) return register('im');
    const others = world.users.filter((user) => user.id !== null && user !== creator);
    const members = [
      ...new Set([
        ...(imUser && imUser !== creator ? [imUser] : []),
        ...Array.from({ length: 1 + random.int(3) }, () => anyOf(random, others)),
      ]),
    ].filter((user): user is WorldUser => user !== undefined);
    if (members.length === 0) return register('v1');
    const group: WorldGroup = { name: `crash group ${next()} "q"`, creator, members, created: 'unanswered', id: null };
    world.groups.push(group);
    const ids = members.map((member) => member.id!);
    if (creator.dialect === 'v1') {
      const created = await v1Outcome(client.json('POST', '/v1/groups', { name: group.name, members: ids }, creator.token!));
      group.created = created.outcome;
      group.id = (created.body as { id?: number } | undefined)?.id ?? null;
    } else {
      const created = await imOutcome(client.form('POST', '/group', { name: group.name, members: ids.map(String) }, creator.token!));
      group.created = created.outcome;
      group.id = (created.response['group'] as { id?: number } | undefined)?.id ?? null;
    }
  }

  async function sendOverHttp(): Promise<void> {
    const sender = anyOf(
      random,
      world.signedIn.filter((user) => world.createdGroups.some((group) => inGroup(user, group))),
    );
    const group =
      sender &&
      anyOf(
        random,
        world.createdGroups.filter((each) => inGroup(sender, each)),
      );
    if (!sender || !group) return createGroup(null);
    const clientId = `http-${next()}`;
    const message = {
      path: 'v1 HTTP' as const,
      sender,
      device: 'v1',
      group,
      clientId,
      text: `message ${clientId}: "quoted"\n🙂 中文`,
      sent: 'unanswered' as Outcome,
      id: null as number | null,
    };
    world.messages.push(message);
    const sent = await v1Outcome(
      client.json('POST', `/v1/rooms/${group.id}/messages`, { text: message.text, client_id: clientId }, sender.token!),
    );
    message.sent = sent.outcome;
    message.id = (sent.body as { id?: number } | undefined)?.id ?? null;
  }

  async function httpLoop(): Promise<void> {
    const operations = [
      () => register(random.pick(['v1', 'im'] as const)),
      askContact,
      acceptContact,
      () => createGroup(imUser),
      sendOverHttp,
      sendOverHttp,
      sendOverHttp,
    ];
    while (!halted) await random.pick(operations)();
  }

  /** One user sends group messages over IM, each waiting for its acknowledgement. */
  async function imLoop(user: WorldUser): Promise<void> {
    const im = await ImClient.websocket(`wss://localhost:${server.port}/im`, readFileSync(join(testCertificates, 'ca.crt'))).catch(
      () => null,
    );
    if (!im || (await im.login({ id: user.id!, token: user.token! }, IM_DEVICE).catch(() => null))?.fields['s'] !== 0) return;
    while (!halted && !im.closed) {
      const group = anyOf(
        random,
        world.createdGroups.filter((each) => inGroup(user, each)),
      );
      if (!group) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      const clientId = `im-${next()}`;
      const message = {
        path: 'IM WebSocket' as const,
        sender: user,
        device: IM_DEVICE,
        group,
        clientId,
        text: `im ${clientId} "q"\n🙂`,
        sent: 'unanswered' as Outcome,
        id: null as number | null,
      };
      world.messages.push(message);
      im.send('gm', { id: clientId, c: message.text, g_id: group.id! });
      const answer = await im
        .next((frame) => (frame.type === 'a' || frame.type === 'rr') && frame.fields['id'] === clientId, 10_000)
        .catch(() => null);
      if (answer) message.sent = answer.type === 'a' ? 'acked' : 'refused';
      if (answer?.type === 'a') message.id = answer.fields['mid'] as number;
      im.frames.length = 0;
    }
    im.close();
  }

  const imUser = anyOf(random, world.signedIn) ?? null;
  const loops = [httpLoop(), httpLoop(), httpLoop(), ...(imUser ? [imLoop(imUser)] : [])];
  return {
    halt: () => void (halted = true),
    settled: async () => void (await Promise.all(loops)),
  };
}
