import type { TomlTable } from '../../src/codecs/im/toml-frame.js';
import { mapBounded } from './bounded-pool.js';
import { BenchFailure } from './bench-result.js';
import type { HttpClient } from './http-client.js';
import { expectImSuccess } from './im-answer.js';

/** A registered and signed-in user: what an IM login and authenticated requests need. */
export interface BenchUser {
  id: number;
  token: string;
  phone: string;
}

/**
 * argon2 costs ~20-50 ms per registration and per sign-in, on the server's thread pool (four
 * threads): more in flight only queues.
 */
const CONCURRENCY = 8;
const PASSWORD = 'bench-password';

/**
 * Registers `count` users through the real API (`POST /user`) and signs each in
 * (`POST /server/login`), as simple_im clients do. `prefix` keeps phone numbers apart between
 * populations of one server.
 */
export function createUsers(http: HttpClient, count: number, prefix = 1): Promise<BenchUser[]> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  return mapBounded(indexes, CONCURRENCY, async (i) => {
    const phone = `${prefix}${String(i).padStart(8, '0')}`;
    const registered = expectImSuccess(
      await http.postForm('/user', { name: `bench ${i}`, phone, password: PASSWORD }),
      `POST /user for user ${i}`,
    );
    const signedIn = expectImSuccess(
      await http.postForm('/server/login', { phone, password: PASSWORD, device: 'bench' }),
      `POST /server/login for user ${i}`,
    );
    const user = signedIn.response['user'] as TomlTable | undefined;
    const id = Number(user?.['id']);
    if (id !== Number((registered.response['user'] as TomlTable | undefined)?.['id']) || typeof user?.['token'] !== 'string') {
      throw new BenchFailure(`POST /server/login for user ${i}: answered another user or no token`);
    }
    return { id, token: user['token'], phone };
  });
}
