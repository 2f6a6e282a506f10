/**
 * Checks a subscription before it is stored, so the notifier never meets a URL it cannot
 * or must not post to. Messages name the field and never quote the secret.
 */
import picomatch from 'picomatch';
import { SEVERITY_ORDER, type Severity } from '../../types.js';
import { CavasError } from '../../util/errors.js';
import type { NewSubscription, SubscriptionKind } from '../model.js';

const FIELDS = new Set(['name', 'kind', 'url', 'secret', 'repositoryPattern', 'minSeverity', 'onlyFixable', 'onlyKev']);
const KINDS: readonly SubscriptionKind[] = ['webhook', 'slack'];

export const SECRET_MIN_LENGTH = 16;
const SECRET_MAX_LENGTH = 1024;
const URL_MAX_LENGTH = 2048;
const NAME_MAX_LENGTH = 100;
const PATTERN_MAX_LENGTH = 256;

/**
 * A NewSubscription from untrusted JSON (the API body). Optional fields may be absent or
 * null; unknown fields are refused so a misspelt filter does not silently match everything.
 * Throws CavasError BAD_INPUT with a one-line message.
 */
export function validateSubscription(input: unknown): NewSubscription {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) bad('expected a JSON object');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) bad(`unknown field ${JSON.stringify(k.slice(0, 40))}`);

  const name = o.name;
  if (typeof name !== 'string' || name.trim() === '') bad('name is required');
  if (name.length > NAME_MAX_LENGTH) bad(`name is longer than ${NAME_MAX_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) bad('name must not contain control characters');

  const kind = o.kind ?? 'webhook';
  if (typeof kind !== 'string' || !KINDS.includes(kind as SubscriptionKind)) bad(`kind must be one of ${KINDS.join(', ')}`);

  const out: NewSubscription = { name: name.trim(), kind: kind as SubscriptionKind, url: checkUrl(o.url), onlyFixable: flag(o, 'onlyFixable'), onlyKev: flag(o, 'onlyKev') };

  if (o.secret !== undefined && o.secret !== null) {
    if (typeof o.secret !== 'string') bad('secret must be a string');
    if (o.secret.length < SECRET_MIN_LENGTH || o.secret.length > SECRET_MAX_LENGTH) bad(`secret must be ${SECRET_MIN_LENGTH} to ${SECRET_MAX_LENGTH} characters`);
    out.secret = o.secret;
  }

  if (o.repositoryPattern !== undefined && o.repositoryPattern !== null) {
    const p = o.repositoryPattern;
    if (typeof p !== 'string' || p === '') bad('repositoryPattern must be a non-empty string');
    if (p.length > PATTERN_MAX_LENGTH) bad(`repositoryPattern is longer than ${PATTERN_MAX_LENGTH} characters`);
    try {
      picomatch.makeRe(p, { dot: true, strictBrackets: true });
    } catch {
      bad('repositoryPattern is not a valid glob');
    }
    out.repositoryPattern = p;
  }

  if (o.minSeverity !== undefined && o.minSeverity !== null) {
    const s = typeof o.minSeverity === 'string' ? o.minSeverity.toUpperCase() : undefined;
    if (!s || !SEVERITY_ORDER.includes(s as Severity)) bad(`minSeverity must be one of ${SEVERITY_ORDER.join(', ')}`);
    out.minSeverity = s as Severity;
  }
  return out;
}

function checkUrl(v: unknown): string {
  if (typeof v !== 'string' || v === '') bad('url is required');
  if (v.length > URL_MAX_LENGTH) bad(`url is longer than ${URL_MAX_LENGTH} characters`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    bad('url is not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') bad('url must be an http:// or https:// URL');
  // fetch refuses such URLs, and the URL is shown by the API: credentials do not belong in it
  if (u.username || u.password) bad('url must not contain a user name or password');
  return u.href;
}

function flag(o: Record<string, unknown>, key: 'onlyFixable' | 'onlyKev'): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') bad(`${key} must be true or false`);
  return v;
}

function bad(message: string): never {
  throw new CavasError('BAD_INPUT', `subscription: ${message}`);
}
