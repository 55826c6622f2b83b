import type { IncomingMessage } from 'node:http';

const MAX_TOKEN_LENGTH = 256;

/**
 * The session token of an HTTP request or WebSocket upgrade, wherever either dialect's clients
 * put it: `X-Session-Id`, the `token` cookie, `Authorization: Bearer`, or `session_id` in the
 * query string (WebSocket URLs).
 */
export function tokenFromRequest(request: Pick<IncomingMessage, 'headers' | 'url'>): string | null {
  const { headers } = request;
  const token =
    single(headers['x-session-id']) ||
    cookie(single(headers.cookie), 'token') ||
    /^Bearer\s+(\S+)$/i.exec(single(headers.authorization))?.[1] ||
    new URL(request.url ?? '/', 'http://x').searchParams.get('session_id') ||
    '';
  return token && token.length <= MAX_TOKEN_LENGTH ? token : null;
}

function single(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function cookie(header: string, name: string): string {
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return '';
    }
  }
  return '';
}
