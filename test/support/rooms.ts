import { expect } from 'chai';
import type { TestServer } from './test-server.js';
import type { TestUser } from './users.js';

export interface V1Message {
  id: number;
  text: string;
  user_id: number;
  room_id: number;
  created_at: string;
  client_id?: string;
  kind?: string;
  url?: string;
}

export interface V1Room {
  id: number;
  users: Array<{ id: number; login: string }>;
  kind: string;
  name: string | null;
  creator: number;
  key: string | null;
}

/** `POST /v1/groups` by `creator`, which must succeed. */
export async function v1Group(t: Pick<TestServer, 'client'>, creator: TestUser, name: string, members: TestUser[] = []): Promise<V1Room> {
  const answer = await t.client.json('POST', '/v1/groups', { name, members: members.map((member) => member.id) }, creator.token);
  expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
  return answer.body as V1Room;
}

/** `POST /v1/rooms/:id/messages`; the answer as it came. */
export function v1Send(t: Pick<TestServer, 'client'>, sender: TestUser, roomId: number, text: string, clientId?: string) {
  return t.client.json(
    'POST',
    `/v1/rooms/${roomId}/messages`,
    { text, ...(clientId === undefined ? {} : { client_id: clientId }) },
    sender.token,
  );
}

/** `GET /v1/rooms/:id/messages` with a query, which must succeed. */
export async function v1History(t: Pick<TestServer, 'client'>, reader: TestUser, roomId: number, query = ''): Promise<V1Message[]> {
  const answer = await t.client.json('GET', `/v1/rooms/${roomId}/messages${query}`, undefined, reader.token);
  expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
  return answer.body as V1Message[];
}

/** The code of a v1 error answer. */
export function errorCode(answer: { body: unknown }): string | undefined {
  return (answer.body as { error?: { code?: string } } | undefined)?.error?.code;
}
