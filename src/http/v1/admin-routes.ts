import { z } from 'zod';
import { auditMessage } from '../../queries/audit/message.js';
import { parseMoment, type AuditMoment } from '../../queries/audit/moment.js';
import type { AuditOptions } from '../../queries/audit/options.js';
import { auditRoom } from '../../queries/audit/room.js';
import { auditStream } from '../../queries/audit/stream.js';
import { auditUser } from '../../queries/audit/user.js';
import { RebuildJob, RebuildRefused } from '../../projections/rebuild-job.js';
import { CommandRefused } from '../../commands/decider.js';
import { eraseUser } from '../../use-cases/erase-user.js';
import { callerContext } from '../caller-context.js';
import type { HttpDeps } from '../http-deps.js';
import { integerParam } from '../integer-param.js';
import type { Route, RouteContext } from '../route.js';
import { jsonBody } from './json-body.js';
import { V1Error } from './v1-error.js';
import type { V1ErrorCode } from '../../codecs/v1/v1-error-codes.js';
import type { V1State } from './v1-state.js';

const RebuildBody = z.object({
  /** One projection; absent: every one. */
  name: z.string().optional(),
});

/** `?at=` (an ISO-8601 time or a log position) and `?with_content=true`, as the CLI's `--at` and `--with-content`. */
function auditOptions(ctx: RouteContext<V1State>): AuditOptions {
  const at = ctx.query['at'];
  let moment: AuditMoment | null = null;
  if (at !== undefined) {
    moment = typeof at === 'string' ? parseMoment(at) : null;
    if (moment === null) throw new V1Error(422, 'invalid_at');
  }
  const withContent = ctx.query['with_content'];
  return { moment, withContent: withContent === 'true' || withContent === '1' };
}

/** The `:id` of an audit route; an id that cannot exist is not found. */
function idParam(text: string | undefined, notFound: V1ErrorCode): number {
  const id = integerParam(text, 1);
  if (id === null) throw new V1Error(404, notFound);
  return id;
}

/**
 * The operator's and the auditor's routes, for the logins in ESCHAT_ADMINS (the v1 router
 * checks). Audits are computed from the log, as `eschat audit` does, so `?at=` travels in time.
 */
export function adminRoutes(deps: HttpDeps): Route<V1State>[] {
  const rebuilds = new RebuildJob(deps.projections);
  const limit = deps.config.limits.bodyBytes;
  return [
    {
      method: 'GET',
      path: '/admin/audit/user/:id',
      access: 'admin',
      summary: 'Everything by or about a user, from the log (?at=time|position, ?with_content=true for texts): {"user","asOf","entries"}',
      errors: ['forbidden', 'user_not_found', 'invalid_at'],
      async handler(ctx) {
        const audit = await auditUser(deps.store, idParam(ctx.params.id, 'user_not_found'), auditOptions(ctx));
        if (!audit) throw new V1Error(404, 'user_not_found');
        ctx.body = audit;
      },
    },
    {
      method: 'GET',
      path: '/admin/audit/room/:id',
      access: 'admin',
      summary:
        'A room as it was (?at=time|position): {"asOf","room":{"name","kind","creator","members",...},"history","messages","people"}',
      errors: ['forbidden', 'room_not_found', 'invalid_at'],
      async handler(ctx) {
        const audit = await auditRoom(deps.store, idParam(ctx.params.id, 'room_not_found'), auditOptions(ctx));
        if (!audit) throw new V1Error(404, 'room_not_found');
        ctx.body = audit;
      },
    },
    {
      method: 'GET',
      path: '/admin/audit/message/:id',
      access: 'admin',
      summary: 'A message by id (the log position of its MessageSent) and its room when it was sent: {"message","room"}',
      errors: ['forbidden', 'message_not_found'],
      async handler(ctx) {
        const audit = await auditMessage(deps.store, idParam(ctx.params.id, 'message_not_found'), auditOptions(ctx));
        if (!audit) throw new V1Error(404, 'message_not_found');
        ctx.body = audit;
      },
    },
    {
      method: 'GET',
      path: '/admin/audit/stream/:name',
      access: 'admin',
      summary: 'Every event of one stream, e.g. room-3 (?at=time|position): {"stream","entries"}',
      errors: ['forbidden', 'stream_not_found', 'invalid_at'],
      async handler(ctx) {
        const stream = ctx.params.name ?? '';
        const entries = await auditStream(deps.store, stream, auditOptions(ctx));
        if (entries.length === 0) throw new V1Error(404, 'stream_not_found');
        ctx.body = { stream, entries };
      },
    },
    {
      method: 'DELETE',
      path: '/admin/users/:id',
      access: 'admin',
      summary:
        'Erase a person (crypto-shredding): their key, their files\' bytes and sessions go; names and texts read as erased: {"user","erased":true,"alreadyErased","mediaDeleted"}',
      errors: ['forbidden', 'user_not_found'],
      async handler(ctx) {
        const userId = idParam(ctx.params.id, 'user_not_found');
        const { caller } = ctx.state;
        const erasure = await eraseUser(deps, userId, caller.userId, callerContext(ctx, caller)).catch((error: unknown) => {
          // As the audit routes: an id nobody registered is not found.
          throw error instanceof CommandRefused ? new V1Error(404, 'user_not_found') : error;
        });
        if (erasure.position !== null) await deps.read.waitFor(erasure.position);
        ctx.body = { user: userId, erased: true, alreadyErased: erasure.position === null, mediaDeleted: erasure.mediaDeleted };
      },
    },
    {
      method: 'GET',
      path: '/admin/projections',
      access: 'admin',
      summary:
        'Each read model of this server: {"projections":[{"name","version","generation","position","head","lag","state"}],"rebuild"}',
      errors: ['forbidden'],
      async handler(ctx) {
        ctx.body = { projections: await deps.projections.status(), rebuild: rebuilds.state };
      },
    },
    {
      method: 'POST',
      path: '/admin/projections/rebuild',
      access: 'admin',
      summary:
        'Rebuild one read model {"name"} or all {} of this server beside the served ones, in the background; 202: {"rebuild"}, then see GET /v1/admin/projections',
      body: RebuildBody,
      errors: ['forbidden', 'unknown_projection', 'rebuild_in_progress'],
      async handler(ctx) {
        const { name } = await jsonBody(ctx, RebuildBody, limit);
        try {
          ctx.body = { rebuild: await rebuilds.start(name) };
          ctx.status = 202;
        } catch (error) {
          if (!(error instanceof RebuildRefused)) throw error;
          throw new V1Error(error.code === 'unknown_projection' ? 422 : 409, error.code);
        }
      },
    },
  ];
}
