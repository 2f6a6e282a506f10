/**
 * The one error type users see. `code` is stable (for tests and scripts);
 * `message` is a single line a user can act on. The CLI prints only the message
 * unless --debug is given.
 */
export type ErrorCode =
  | 'USAGE'
  | 'BAD_IMAGE'
  | 'BAD_LAYER'
  | 'DIGEST_MISMATCH'
  | 'MISSING_BLOB'
  | 'UNSAFE_PATH'
  | 'LIMIT_EXCEEDED'
  | 'BAD_PACKAGE_DB'
  | 'BAD_FEED'
  | 'FETCH_FAILED'
  | 'DB_MISSING'
  | 'DB_CORRUPT'
  | 'PLATFORM_NOT_FOUND'
  | 'NOT_FOUND'
  | 'IO';

export class CavasError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message.replace(/\s*\n\s*/g, ' '), options);
    this.code = code;
    this.name = 'CavasError';
  }
}

export function isCavasError(e: unknown): e is CavasError {
  return e instanceof CavasError;
}

/** Short, single-line description of any thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? String(e);
  return String(e).split('\n')[0] ?? 'unknown error';
}
