import type { MediaKind } from '../../src/commands/media-signature.js';
import { AMR, MP4, PNG, file, type FilePart } from '../support/media.js';
import type { RouteRequest } from '../support/route-call.js';
import type { TestUser } from '../support/users.js';

/** The people and the room a route is tried on; the room is created afresh for every route. */
export interface MatrixFixture {
  owner: TestUser;
  ownerLogin: string;
  ownerPassword: string;
  member: TestUser;
  memberPhone: string;
  /** Someone with no tie to the room, whom legitimate calls name (a user to add, a recipient). */
  newcomer: TestUser;
  /** A group the owner created with the member (and the removed member, before the removal). */
  room: number;
  /** The room's invite key, rotated after the removal. */
  key: string;
  /** The text message the owner sent to the room after the removal. */
  message: number;
  /** Media messages the owner sent to the room after the removal. */
  media: Record<MediaKind, string>;
  /** Users who asked the owner to become contacts (for accepting), one per dialect. */
  askers: { v1: TestUser; im: TestUser };
  /** The owner's contacts (for deleting), one per dialect. */
  friends: { v1: TestUser; im: TestUser };
  /** Users the owner asks to become contacts, one per dialect. */
  targets: { v1: TestUser; im: TestUser };
  /** A value nobody used yet (a login, a phone number). */
  unique(prefix: string): string;
}

/** What a caller knows: the room's key (the current one, the one before rotation, or a guess). */
export interface Knowledge {
  key: string;
}

/**
 * Who may call a route and what happens to everyone else:
 * - `anyone`: public; every identity gets the legitimate answer.
 * - `signed-in`: any live session; it acts on the caller's own data.
 * - `session-holder`: public in the table, but checks the token against the user it names.
 * - `room-member`, `room-creator`, `media-viewer`: about the fixture's room or its media.
 * - `key-holder`: joins the room with its current key.
 * - `addressee`: accepts a contact request sent to the caller.
 * - `party`: ends a contact relation the caller is part of.
 * - `admin`: an administrator (a login in ESCHAT_ADMINS).
 */
export type Rule =
  | 'anyone'
  | 'signed-in'
  | 'session-holder'
  | 'room-member'
  | 'room-creator'
  | 'media-viewer'
  | 'key-holder'
  | 'addressee'
  | 'party'
  | 'admin';

export interface RouteRule {
  rule: Rule;
  call(fx: MatrixFixture, knows: Knowledge): RouteRequest;
  /** Who makes the legitimate call (default the owner); `spare` is a second session of the owner. */
  caller?: 'owner' | 'member' | 'newcomer' | 'spare';
  /** The outcome for a valid session that may not do this (another user, a removed member). */
  refused?: string;
  /** The legitimate outcome, when it is not `ok`. */
  success?: string;
  /** The outcome without a valid session, when it is not the dialect's usual one. */
  authRefusal?: string;
  /** Ends the calling session: walked last, as it ends the identities' sessions too. */
  endsSession?: boolean;
}

const KINDS: readonly MediaKind[] = ['audio', 'video', 'image'];
const SAMPLES: Record<MediaKind, FilePart> = {
  audio: file(AMR, 'a.amr', 'audio/amr'),
  video: file(MP4, 'v.mp4', 'video/mp4'),
  image: file(PNG, 'i.png', 'image/png'),
};

const v1Rules: Record<string, RouteRule> = {
  'POST /v1/register': { rule: 'anyone', call: (fx) => ({ json: { login: fx.unique('matrix'), password: 'pw' } }) },
  'POST /v1/login': { rule: 'anyone', call: (fx) => ({ json: { login: fx.ownerLogin, password: fx.ownerPassword } }) },
  'POST /v1/logout': { rule: 'signed-in', call: () => ({}), caller: 'spare', endsSession: true },
  'GET /v1/info': { rule: 'signed-in', call: () => ({}) },
  'GET /v1/users': { rule: 'signed-in', call: () => ({ query: '?q=m' }) },
  'GET /v1/contacts': { rule: 'signed-in', call: () => ({}) },
  'GET /v1/contacts/requests': { rule: 'signed-in', call: () => ({}) },
  'POST /v1/contacts/:id': { rule: 'signed-in', call: (fx) => ({ params: { id: fx.targets.v1.id }, json: { ask: 'hello' } }) },
  'PUT /v1/contacts/:id': { rule: 'addressee', call: (fx) => ({ params: { id: fx.askers.v1.id } }), refused: '422 no_request' },
  'DELETE /v1/contacts/:id': { rule: 'party', call: (fx) => ({ params: { id: fx.friends.v1.id } }), refused: '422 not_a_contact' },
  'GET /v1/rooms': { rule: 'signed-in', call: () => ({}) },
  'POST /v1/rooms': { rule: 'signed-in', call: (fx) => ({ json: { users: [{ id: fx.newcomer.id }] } }) },
  'GET /v1/rooms/:id': { rule: 'room-member', call: (fx) => ({ params: { id: fx.room } }), refused: '422 room_not_found' },
  'DELETE /v1/rooms/:id': { rule: 'room-creator', call: (fx) => ({ params: { id: fx.room } }), refused: '422 forbidden' },
  'POST /v1/rooms/:id/members': {
    rule: 'room-creator',
    call: (fx) => ({ params: { id: fx.room }, json: { user_id: fx.newcomer.id } }),
    refused: '422 forbidden',
  },
  'DELETE /v1/rooms/:id/members/:uid': {
    rule: 'room-creator',
    call: (fx) => ({ params: { id: fx.room, uid: fx.member.id } }),
    refused: '422 forbidden',
  },
  'POST /v1/rooms/:id/key': { rule: 'room-creator', call: (fx) => ({ params: { id: fx.room } }), refused: '422 forbidden' },
  'POST /v1/groups': { rule: 'signed-in', call: (fx) => ({ json: { name: 'another group', members: [fx.newcomer.id] } }) },
  'GET /v1/rooms/:id/messages': { rule: 'room-member', call: (fx) => ({ params: { id: fx.room } }), refused: '422 room_not_found' },
  'POST /v1/rooms/:id/messages': {
    rule: 'room-member',
    call: (fx) => ({ params: { id: fx.room }, json: { text: 'let me in' } }),
    refused: '422 not_a_member',
  },
  'POST /v1/rooms/:id/read': {
    rule: 'room-member',
    call: (fx) => ({ params: { id: fx.room }, json: { message_id: fx.message } }),
    refused: '422 not_a_member',
  },
  'POST /v1/rooms/:id/typing': {
    rule: 'room-member',
    call: (fx) => ({ params: { id: fx.room }, json: { typing: false } }),
    refused: '422 not_a_member',
  },
  'GET /v1/rooms/:id/receipts': { rule: 'room-member', call: (fx) => ({ params: { id: fx.room } }), refused: '422 room_not_found' },
  'GET /v1/users/:id/presence': {
    rule: 'room-member',
    call: (fx) => ({ params: { id: fx.owner.id } }),
    caller: 'member',
    refused: '404 user_not_found',
  },
  'GET /v1/me/settings': { rule: 'signed-in', call: () => ({}) },
  'PUT /v1/me/settings': { rule: 'signed-in', call: () => ({ json: { read_receipts: true } }) },
  'PATCH /v1/rooms/:id/messages/:mid': {
    rule: 'room-member',
    call: (fx) => ({ params: { id: fx.room, mid: fx.message }, json: { text: 'edited by the sender' } }),
    refused: '422 not_a_member',
  },
  'DELETE /v1/rooms/:id/messages/:mid': {
    rule: 'room-member',
    call: (fx) => ({ params: { id: fx.room, mid: fx.message } }),
    refused: '422 not_a_member',
  },
  // The fixture's room holds a secret text: a search by anyone else must not find it.
  'GET /v1/search': { rule: 'signed-in', call: () => ({ query: '?q=secret' }) },
  'POST /v1/rooms/:id/media': {
    rule: 'room-member',
    call: (fx) => ({ params: { id: fx.room }, multipart: { file: SAMPLES.image } }),
    refused: '422 not_a_member',
  },
  'GET /v1/media/:id': { rule: 'media-viewer', call: (fx) => ({ params: { id: fx.media.image } }), refused: '404 media_not_found' },
  'GET /v1/openapi.json': { rule: 'anyone', call: () => ({}) },
  'GET /v1/admin/audit/user/:id': { rule: 'admin', call: (fx) => ({ params: { id: fx.owner.id } }) },
  'GET /v1/admin/audit/room/:id': { rule: 'admin', call: (fx) => ({ params: { id: fx.room }, query: '?with_content=true' }) },
  'GET /v1/admin/audit/message/:id': { rule: 'admin', call: (fx) => ({ params: { id: fx.message }, query: '?with_content=true' }) },
  'GET /v1/admin/audit/stream/:name': { rule: 'admin', call: (fx) => ({ params: { name: `room-${fx.room}` } }) },
  // Someone no route calls as: their erasure changes no other route's fixture.
  'DELETE /v1/admin/users/:id': { rule: 'admin', call: (fx) => ({ params: { id: fx.askers.im.id } }) },
  'GET /v1/admin/projections': { rule: 'admin', call: () => ({}) },
  'POST /v1/admin/projections/rebuild': { rule: 'admin', call: () => ({ json: { name: 'users' } }) },
};

const tokenMismatch = 'status 1 Token Error';

const imRules: Record<string, RouteRule> = {
  'GET /health': { rule: 'anyone', call: () => ({}) },
  'POST /server/login': {
    rule: 'anyone',
    call: (fx) => ({ form: { phone: fx.ownerLogin, password: fx.ownerPassword, device: 'matrix' } }),
  },
  'POST /server/reconnect': { rule: 'session-holder', call: (fx) => ({ form: { id: String(fx.owner.id) } }), authRefusal: tokenMismatch },
  'POST /server/failed': { rule: 'signed-in', call: () => ({ form: {} }), success: 'status 1 IM is online', authRefusal: tokenMismatch },
  'POST /user': { rule: 'anyone', call: (fx) => ({ form: { name: fx.unique('matrix'), phone: fx.unique('86'), password: 'pw' } }) },
  'GET /user/id/:id': { rule: 'signed-in', call: (fx) => ({ params: { id: fx.member.id } }) },
  'GET /user/phone/:phone': { rule: 'signed-in', call: (fx) => ({ params: { phone: fx.memberPhone } }) },
  'GET /contact/version/:n': { rule: 'signed-in', call: () => ({ params: { n: 0 } }) },
  'POST /contact/:id': { rule: 'signed-in', call: (fx) => ({ params: { id: fx.targets.im.id }, form: { ask: 'hello' } }) },
  'PUT /contact/:id': { rule: 'addressee', call: (fx) => ({ params: { id: fx.askers.im.id } }), refused: 'status 1 Unauthorized operate' },
  // As the original: deleting what is not there answers status 0, and changes nothing.
  'DELETE /contact/:id': { rule: 'party', call: (fx) => ({ params: { id: fx.friends.im.id } }), refused: 'ok' },
  'GET /pre_contact/:since': { rule: 'signed-in', call: () => ({ params: { since: 0 } }) },
  'POST /group': { rule: 'signed-in', call: (fx) => ({ form: { name: 'another group', members: [String(fx.newcomer.id)] } }) },
  'DELETE /group/:gid': { rule: 'room-creator', call: (fx) => ({ params: { gid: fx.room } }), refused: 'status 3 Unauthorized' },
  'POST /group/:gid/member': {
    rule: 'key-holder',
    call: (fx, knows) => ({ params: { gid: fx.room }, form: { g_key: knows.key } }),
    caller: 'newcomer',
    refused: 'status 3 Unauthorized',
  },
  'POST /group/:gid/member/:uid': {
    rule: 'room-creator',
    call: (fx) => ({ params: { gid: fx.room, uid: fx.newcomer.id }, form: {} }),
    refused: 'status 3 Unauthorized',
  },
  // As the original: leaving a group one is not in answers status 0, and changes nothing.
  'DELETE /group/:gid/member': { rule: 'room-member', call: (fx) => ({ params: { gid: fx.room } }), caller: 'member', refused: 'ok' },
  'GET /offline': { rule: 'signed-in', call: () => ({}) },
  'DELETE /offline': { rule: 'signed-in', call: () => ({}) },
  ...Object.fromEntries(
    KINDS.flatMap((kind): Array<[string, RouteRule]> => [
      [`POST /m/${kind}`, { rule: 'signed-in', call: (fx) => ({ multipart: { to: String(fx.newcomer.id), [kind]: SAMPLES[kind] } }) }],
      [
        `POST /gm/${kind}`,
        {
          rule: 'room-member',
          call: (fx) => ({ multipart: { g_id: String(fx.room), [kind]: SAMPLES[kind] } }),
          refused: 'status 3 Unauthorized',
        },
      ],
      [
        `GET /file/${kind}/:id`,
        { rule: 'media-viewer', call: (fx) => ({ params: { id: fx.media[kind] } }), refused: 'http 404 status 404 Not Found' },
      ],
    ]),
  ),
};

/**
 * The authorization rule of every route, by `METHOD path`. A route the tables mount without an
 * entry here fails the matrix: whoever adds a route says who may call it.
 */
export const ROUTE_RULES: Readonly<Record<string, RouteRule>> = { ...v1Rules, ...imRules };

export { KINDS as MEDIA_KINDS, SAMPLES as MEDIA_SAMPLES };
