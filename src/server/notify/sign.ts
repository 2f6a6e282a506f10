/**
 * Webhook signatures: `X-Cavas-Signature: sha256=<hex HMAC-SHA256 of the exact body
 * bytes, keyed with the subscription secret>`. Receivers verify with verifySignature (or
 * the snippet in docs/notifications.md) before parsing the body.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Cavas-Signature';
/** Unix seconds when the attempt was sent; equals the body's signed `sentAt`. */
export const TIMESTAMP_HEADER = 'X-Cavas-Timestamp';
/** The delivery id: the same on every attempt of one delivery. */
export const DELIVERY_HEADER = 'X-Cavas-Delivery';

const SIGNATURE_RE = /^sha256=([0-9a-f]{64})$/i;

export function signBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The cavas headers of one attempt; the signature only when the subscription has a secret. */
export function notificationHeaders(body: string | Uint8Array, opts: { deliveryId: string; sentAt: Date; secret?: string }): Record<string, string> {
  const headers: Record<string, string> = {
    [DELIVERY_HEADER]: opts.deliveryId,
    [TIMESTAMP_HEADER]: String(Math.floor(opts.sentAt.getTime() / 1000)),
  };
  if (opts.secret) headers[SIGNATURE_HEADER] = signBody(body, opts.secret);
  return headers;
}

/**
 * Whether `header` (the X-Cavas-Signature value) signs `body` with `secret`. `body` must
 * be the raw bytes received, not a re-serialised parse. Never throws: a missing or
 * malformed header is simply not valid. The comparison takes the same time wherever the
 * first difference is.
 */
export function verifySignature(body: string | Uint8Array, header: string | null | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !secret) return false;
  const m = SIGNATURE_RE.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
