/**
 * The checks rules run on a candidate after its regex matched: checksums, decodings and
 * entropy. Pure functions of the candidate; they never throw for hostile input and never
 * put the candidate into an error message.
 */
import { crc32 } from 'node:zlib';

/** Shannon entropy in bits per character: log2(n) for n distinct equally frequent characters. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** CRC32 of `body`, base62 (0-9A-Za-z), left-padded with 0 to six characters. */
export function base62Crc32(body: string): string {
  let crc = crc32(body);
  let out = '';
  while (crc > 0) {
    out = BASE62[crc % 62]! + out;
    crc = Math.floor(crc / 62);
  }
  return out.padStart(6, '0');
}

/**
 * GitHub (ghp_, gho_, ghu_, ghs_, ghr_) and npm (npm_) tokens: a 4-character prefix, 30 random
 * base62 characters and six characters of base62 CRC32 over those 30. A string of the right
 * shape with a wrong checksum is made up (docs, tests), so it is not reported.
 */
export function hasTokenChecksum(token: string): boolean {
  if (token.length !== 40) return false;
  return base62Crc32(token.slice(4, 34)) === token.slice(34);
}

/** Decodes base64 or base64url (padding optional); undefined when it is neither. */
export function decodeBase64(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return undefined;
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** A JWT's first segment is base64url JSON naming the signing algorithm. */
export function isJwtHeader(segment: string): boolean {
  const raw = decodeBase64(segment);
  if (raw === undefined) return false;
  try {
    const header: unknown = JSON.parse(raw.toString('utf8'));
    return typeof header === 'object' && header !== null && typeof (header as Record<string, unknown>)['alg'] === 'string';
  } catch {
    return false;
  }
}

/** Docker's "auth" is base64 of user:password; both parts must be there. */
export function isBasicAuthPair(b64: string): boolean {
  const raw = decodeBase64(b64);
  if (raw === undefined) return false;
  const s = raw.toString('utf8');
  const colon = s.indexOf(':');
  // eslint-disable-next-line no-control-regex
  return colon > 0 && colon < s.length - 1 && !/[\u0000-\u001f]/.test(s);
}

/** Runs of one character (xxxx, 0000, ****) are fill, not key material. */
export function isRepeatedFill(s: string): boolean {
  return /^(.)\1*$/s.test(s);
}
