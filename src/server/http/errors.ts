/**
 * Every error the API answers has one JSON shape, `{ error: { code, message } }`, and
 * never a stack trace: 4xx messages say what was wrong with the request, 5xx say
 * "internal error" and the detail goes to the log only.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isCavasError } from '../../util/errors.js';

export type ApiErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'hook_disabled'
  | 'not_ready'
  | 'internal';

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

/** Thrown by handlers for an expected failure with its status code. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function errorBody(code: ApiErrorCode, message: string): ApiErrorBody {
  return { error: { code, message } };
}

export function sendError(reply: FastifyReply, status: number, code: ApiErrorCode, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message));
}

export function notFound(what: string): HttpError {
  return new HttpError(404, 'not_found', `${what} not found`);
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, 'bad_request', message);
}

const FASTIFY_CODES: Record<string, { status: number; code: ApiErrorCode }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request' },
};

/** The message a 4xx may show: one line, bounded, as Fastify or a handler wrote it. */
function clientMessage(message: string): string {
  // eslint-disable-next-line no-control-regex
  const line = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > 500 ? `${line.slice(0, 500)}...` : line || 'bad request';
}

export function mapError(err: unknown): { status: number; body: ApiErrorBody; internal: boolean } {
  if (err instanceof HttpError) {
    return { status: err.statusCode, body: errorBody(err.code, clientMessage(err.message)), internal: err.statusCode >= 500 };
  }
  if (isCavasError(err)) {
    if (err.code === 'USAGE' || err.code === 'BAD_INPUT') return { status: 400, body: errorBody('bad_request', clientMessage(err.message)), internal: false };
    if (err.code === 'NOT_FOUND') return { status: 404, body: errorBody('not_found', clientMessage(err.message)), internal: false };
  }
  const fe = err as Partial<FastifyError> | undefined;
  if (fe && typeof fe === 'object') {
    if (fe.validation) {
      return { status: 400, body: errorBody('validation_failed', clientMessage(String(fe.message))), internal: false };
    }
    const known = typeof fe.code === 'string' ? FASTIFY_CODES[fe.code] : undefined;
    if (known) return { status: known.status, body: errorBody(known.code, clientMessage(String(fe.message))), internal: false };
    // Other Fastify client errors (bad URL encoding, ...) carry their 4xx status.
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code: ApiErrorCode = fe.statusCode === 404 ? 'not_found' : 'bad_request';
      return { status: fe.statusCode, body: errorBody(code, clientMessage(String(fe.message))), internal: false };
    }
  }
  return { status: 500, body: errorBody('internal', 'internal error'), internal: true };
}

/** Fastify error handler: log server faults with their detail, answer the JSON shape. */
export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = mapError(err);
  if (mapped.internal) request.log.error({ err }, 'request failed');
  else request.log.info({ status: mapped.status, code: mapped.body.error.code }, 'request rejected');
  return reply.code(mapped.status).type('application/json; charset=utf-8').send(mapped.body);
}
