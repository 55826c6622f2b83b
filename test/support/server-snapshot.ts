import { fullHistory } from './crash-checks.js';
import type { CrashWorld } from './crash-world.js';
import type { HttpsClient } from './https-client.js';
import type { V1Room } from './rooms.js';

/**
 * Everything the world's users see, through the HTTP answers of both dialects: who they are,
 * their rooms and every message in them, their contacts and requests. Two servers (or one
 * server before and after a rebuild) whose read models agree give the same text.
 */
export async function snapshotOf(client: HttpsClient, world: CrashWorld): Promise<string> {
  const views: unknown[] = [];
  for (const user of world.signedIn) {
    const token = user.token!;
    const get = async (path: string) => (await client.json('GET', path, undefined, token)).body;
    const rooms = (await get('/v1/rooms')) as V1Room[];
    const histories = await Promise.all(rooms.map((room) => fullHistory(client, room.id, token)));
    const im = await Promise.all(
      ['/contact/version/0', '/pre_contact/0'].map(async (path) => (await client.form('GET', path, {}, token)).text),
    );
    views.push({
      user: user.login,
      info: await get('/v1/info'),
      rooms,
      histories,
      contacts: await get('/v1/contacts'),
      requests: await get('/v1/contacts/requests'),
      im,
    });
  }
  return JSON.stringify(views);
}
