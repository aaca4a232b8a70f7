import pino, { type Logger } from 'pino';

/**
 * JSON logs on stdout. Credentials never reach a log line: request headers are not logged, and these paths are
 * redacted wherever they appear in logged objects.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: [
        'authorization',
        '*.authorization',
        'headers.authorization',
        'headers.cookie',
        'password',
        '*.password',
        'token',
        '*.token',
        'secret',
        '*.secret',
        'refresh_token',
        'access_token',
        'code_verifier',
      ],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
