import { hashToken } from '../events/token.js';
import type { ReadModels } from '../projections/read-models.js';
import type { SessionDocument } from '../projections/sessions.js';

export type { SessionDocument };

/** The signed-in user behind a request or a socket. */
export interface Caller {
  userId: number;
  sessionId: string;
  device: string;
}

/** The live session a bearer token opens, or null. */
export function findSessionByToken(read: ReadModels, token: string): Promise<SessionDocument | null> {
  return read.collection<SessionDocument>('sessions', 'sessions').findOne({ _id: hashToken(token) });
}

export async function callerOf(read: ReadModels, token: string | null): Promise<Caller | null> {
  if (!token) return null;
  const session = await findSessionByToken(read, token);
  return session ? { userId: session.userId, sessionId: session.sessionId, device: session.device } : null;
}
