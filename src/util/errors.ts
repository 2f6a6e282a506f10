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
  | 'AUTH_FAILED'
  | 'DB_MISSING'
  | 'DB_CORRUPT'
  | 'PLATFORM_NOT_FOUND'
  | 'NOT_FOUND'
  | 'IO'
  | 'BAD_INPUT'
  | 'CLAMD';

export class CavasError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(oneLine(message), options);
    this.code = code;
    this.name = 'CavasError';
  }
}

/**
 * Messages quote hostile input (entry names, JSON snippets): line breaks would split
 * the one line, and other control bytes (ESC sequences) would drive the user's terminal.
 */
function oneLine(message: string): string {
  return message
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/\t/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function isCavasError(e: unknown): e is CavasError {
  return e instanceof CavasError;
}

/** Short, single-line description of any thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? String(e);
  return String(e).split('\n')[0] ?? 'unknown error';
}
