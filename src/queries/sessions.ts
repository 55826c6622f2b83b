import { hashToken } from '../commands/token.js';
import type { ReadModels } from '../projections/read-models.js';
import type { SessionDocument } from '../projections/sessions.js';

export type { SessionDocument };

/** The live session a bearer token opens, or null. */
export function findSessionByToken(read: ReadModels, token: string): Promise<SessionDocument | null> {
  return read.collection<SessionDocument>('sessions', 'sessions').findOne({ _id: hashToken(token) });
}
