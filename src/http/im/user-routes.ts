import { registerUser } from '../../commands/user.js';
import type { TomlFrame } from '../../codecs/im/toml-frame.js';
import { findUser, findUserByPhone, type PublicUser } from '../../queries/users.js';
import type { HttpDeps } from '../http-deps.js';
import { integerParam } from '../integer-param.js';
import { requestContext } from '../request-context.js';
import type { Route } from '../route.js';
import { requireFields } from '../form-fields.js';
import { writeImAnswer } from './im-answer.js';
import type { ImState } from './im-state.js';

/** A user as im shows one: `[[user]] id name phone avatar`. */
export function imUserRow(user: PublicUser): TomlFrame {
  return { type: 'user', fields: { id: user._id, name: user.name, phone: user.phone ?? '', avatar: user.avatar } };
}

export function userRoutes(deps: HttpDeps): Route<ImState>[] {
  return [
    {
      method: 'POST',
      path: '/user',
      access: 'public',
      summary: 'Register with name, phone, password',
      errors: ['User Exist', '<field> Required', 'Invalid name', 'Invalid phone', 'Invalid password'],
      async handler(ctx) {
        const { name, phone, password } = requireFields(ctx, ['name', 'phone', 'password']);
        const registration = { name, login: null, phone, password };
        const { userId, position } = await registerUser(deps.store, deps.userIds, registration, requestContext(ctx));
        await deps.read.waitFor(position);
        writeImAnswer(ctx, { user: { id: userId } });
      },
    },
    {
      method: 'GET',
      path: '/user/id/:id',
      access: 'user',
      summary: 'A user by id: [[user]] id, name, phone, avatar',
      async handler(ctx) {
        // Only the decimal form names a user: Number() would also read "1e0", "0x1" or " 1".
        const id = integerParam(ctx.params.id, 1);
        const user = id === null ? null : await findUser(deps.read, id);
        writeImAnswer(ctx, {}, user ? [imUserRow(user)] : []);
      },
    },
    {
      method: 'GET',
      path: '/user/phone/:phone',
      access: 'user',
      summary: 'A user by phone: [[user]] id, name, phone, avatar',
      async handler(ctx) {
        const user = await findUserByPhone(deps.read, String(ctx.params.phone));
        writeImAnswer(ctx, {}, user ? [imUserRow(user)] : []);
      },
    },
  ];
}
