import { expect } from 'chai';
import type { TestServer } from './test-server.js';
import { responseOf } from './toml.js';

export interface TestUser {
  id: number;
  token: string;
}

/** Registers through im (`POST /user`) and signs in (`POST /server/login`). */
export async function imUser(
  t: Pick<TestServer, 'client'>,
  name: string,
  phone: string,
  password = '888888',
  device = 'android',
): Promise<TestUser> {
  const created = responseOf((await t.client.form('POST', '/user', { name, phone, password })).text);
  expect(created['status'], JSON.stringify(created)).to.equal(0);
  const login = responseOf((await t.client.form('POST', '/server/login', { phone, password, device })).text);
  expect(login['status'], JSON.stringify(login)).to.equal(0);
  const user = login['user'] as { id: number; token: string };
  return { id: user.id, token: user.token };
}

/** Registers through v1 (`POST /v1/register`); the session id is the token. */
export async function v1User(t: Pick<TestServer, 'client'>, login: string, password = 'pw'): Promise<TestUser> {
  const registered = await t.client.json('POST', '/v1/register', { login, password });
  expect(registered.status, JSON.stringify(registered.body)).to.equal(200);
  const token = (registered.body as { session_id: string }).session_id;
  const info = await t.client.json('GET', '/v1/info', undefined, token);
  return { id: (info.body as { id: number }).id, token };
}
