import { startSession } from '../commands/session.js';
import { verifyPassword } from '../commands/password.js';
import type { Dialect } from '../events/session.js';
import { findUserBySignIn } from '../queries/users.js';
import type { CommandContext } from '../commands/command-context.js';
import type { UseCaseDeps } from './use-case-deps.js';

/** Where a sign-in came from: throttling counts failures per address. */
export type SignInContext = CommandContext & { address: string };

export type SignInOutcome =
  | { kind: 'signed_in'; userId: number; sessionId: string; token: string }
  | { kind: 'unknown_user' }
  | { kind: 'wrong_password' }
  | { kind: 'throttled'; retryAfterSeconds: number };

export interface SignInRequest {
  /** A login, or a phone number: either signs in from either dialect. */
  identifier: string;
  password: string;
  device: string;
  dialect: Dialect;
  context: SignInContext;
}

/**
 * Both dialects' sign-in: throttled on failures per account and per address, the session
 * readable by the time the token is handed out.
 */
export async function signIn(deps: Pick<UseCaseDeps, 'store' | 'read' | 'throttle'>, request: SignInRequest): Promise<SignInOutcome> {
  const attempt = { account: request.identifier.toLowerCase(), address: request.context.address };
  const wait = deps.throttle.retryAfter(attempt);
  if (wait > 0) return { kind: 'throttled', retryAfterSeconds: wait };
  const user = await findUserBySignIn(deps.read, request.identifier);
  if (!user || !(await verifyPassword(user.passwordHash, request.password))) {
    deps.throttle.failed(attempt);
    return user ? { kind: 'wrong_password' } : { kind: 'unknown_user' };
  }
  deps.throttle.succeeded(attempt);
  const session = await openSession(deps, { userId: user._id, device: request.device, dialect: request.dialect }, request.context);
  return { kind: 'signed_in', userId: user._id, ...session };
}

/** Starts a session and waits until its token authenticates. */
export async function openSession(
  deps: Pick<UseCaseDeps, 'store' | 'read' | 'throttle'>,
  start: { userId: number; device: string; dialect: Dialect },
  context: SignInContext,
): Promise<{ sessionId: string; token: string }> {
  const session = await startSession(deps.store, { ...start, address: context.address }, context);
  await deps.read.waitFor(session.position);
  return { sessionId: session.sessionId, token: session.token };
}
