import type { Context } from 'koa';
import type { ReadModels } from '../projections/read-models.js';
import { findSessionByToken, type SessionDocument } from '../queries/sessions.js';

/** The signed-in caller of a request. */
export interface Caller {
  userId: number;
  sessionId: string;
  device: string;
}

const MAX_TOKEN_LENGTH = 256;

/**
 * A session token, wherever either dialect's clients put it: `X-Session-Id`, the `token`
 * cookie, `Authorization: Bearer`, or `session_id` in the query (WebSocket URLs).
 */
export function tokenOf(ctx: Pick<Context, 'get' | 'cookies' | 'query'>): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
  const query = ctx.query['session_id'];
  const token = ctx.get('x-session-id') || ctx.cookies.get('token') || bearer || (typeof query === 'string' ? query : '');
  return token && token.length <= MAX_TOKEN_LENGTH ? token : null;
}

export async function callerOf(read: ReadModels, token: string | null): Promise<Caller | null> {
  if (!token) return null;
  const session: SessionDocument | null = await findSessionByToken(read, token);
  return session ? { userId: session.userId, sessionId: session.sessionId, device: session.device } : null;
}

/** The client's address as the socket saw it (no proxy headers are trusted by default). */
export function addressOf(ctx: Pick<Context, 'ip'>): string {
  return ctx.ip;
}
