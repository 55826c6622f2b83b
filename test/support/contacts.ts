import { expect } from 'chai';
import type { TestServer } from './test-server.js';
import { parseToml, type TomlTables } from './toml.js';
import type { TestUser } from './users.js';

/** An im call as `user` (token cookie): a form in, the answer's tables out. */
export async function imAs(
  t: TestServer,
  user: TestUser,
  method: string,
  path: string,
  fields: Record<string, string> = {},
): Promise<TomlTables> {
  const answer = await t.client.form(method, path, fields, user.token);
  expect(answer.status, answer.text).to.equal(200);
  return parseToml(answer.text);
}

/** A v1 call as `user` (X-Session-Id). */
export function v1As(
  t: TestServer,
  user: TestUser,
  method: string,
  path: string,
  body?: unknown,
): ReturnType<TestServer['client']['json']> {
  return t.client.json(method, path, body, user.token);
}

/** A sync answer in either dialect, reduced to what a client applies. */
export interface ContactChanges {
  version: number;
  added: number[];
  removed: number[];
}

export async function imContactChanges(t: TestServer, user: TestUser, since: number): Promise<ContactChanges> {
  const tables = await imAs(t, user, 'GET', `/contact/version/${since}`);
  const [response] = tables['response'] ?? [];
  expect(response?.['status'], JSON.stringify(tables)).to.equal(0);
  return {
    version: response?.['version'] as number,
    added: (tables['user'] ?? []).map((row) => row['id'] as number),
    removed: (tables['removed'] ?? []).map((row) => row['id'] as number),
  };
}

export async function v1ContactChanges(t: TestServer, user: TestUser, since: number): Promise<ContactChanges> {
  const answer = await v1As(t, user, 'GET', `/v1/contacts?since=${since}`);
  expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
  const body = answer.body as { version: number; contacts: Array<{ id: number }>; removed: number[] };
  return { version: body.version, added: body.contacts.map((contact) => contact.id), removed: body.removed };
}
