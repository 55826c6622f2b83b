import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (pino). Anything that could carry a secret is redacted by path as a
 * second line of defence; the first is never to log tokens, passwords or hashes at all.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'eschat' },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'passwordHash',
        '*.passwordHash',
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-session-id"]',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
