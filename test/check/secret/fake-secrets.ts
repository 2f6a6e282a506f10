/**
 * Secret-shaped test values, built at run time from pieces so that this repository's own
 * source never holds a realistic secret in one literal (push-protection scanners stay
 * quiet). The checksums are computed here, independently of src/check/secret.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random characters from an alphabet (base62 unless told). */
export function randomChars(n: number, alphabet = B62): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[bytes[i]! % alphabet.length];
  return s;
}

/** Random base62 with at least one lowercase letter, one capital and one digit, like generated keys. */
export function randomSecret(n: number): string {
  return 'q' + randomChars(n - 3) + 'Z' + '7';
}

function base62(n: number): string {
  let s = '';
  while (n > 0) {
    s = B62[n % 62] + s;
    n = Math.floor(n / 62);
  }
  return s.padStart(6, '0');
}

/** prefix_ + 30 random base62 + base62(CRC32(random part)): GitHub (ghp, gho, ...) and npm tokens. */
export function checksummedToken(prefix: string, body = randomChars(30)): string {
  return `${prefix}_${body}${base62(crc32(body))}`;
}

/** The same token with its last checksum character changed. */
export function badChecksum(token: string): string {
  const last = token.at(-1)!;
  return token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}

export const AWS_EXAMPLE_KEY_ID = 'AKIA' + 'IOSFODNN7' + 'EXAMPLE';
export const AWS_EXAMPLE_SIGNING_KEY = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCY' + 'EXAMPLEKEY'].join('/');

export function awsKeyId(prefix = 'AKIA'): string {
  return prefix + randomChars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');
}

export function base64Chars(n: number): string {
  return randomChars(n, B62 + '+/');
}

export function base64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}

export function jwt(header: object = { alg: 'HS256', typ: 'JWT' }): string {
  return [base64url(JSON.stringify(header)), base64url(JSON.stringify({ sub: 'user-1', iat: 1700000000 })), base64url(randomBytes(32))].join('.');
}

let rsaPkcs1: string | undefined;
/** PEM keys made for the test run (small RSA: it only has to look like one). */
export function pemKey(kind: 'pkcs1' | 'pkcs8' | 'sec1' | 'encrypted'): string {
  if (kind === 'sec1') {
    return generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'sec1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  }
  if (kind === 'pkcs1' && rsaPkcs1) return rsaPkcs1;
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 1024,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding:
      kind === 'encrypted'
        ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'test-pass' }
        : { type: kind, format: 'pem' },
  });
  if (kind === 'pkcs1') rsaPkcs1 = privateKey;
  return privateKey;
}

export function publicKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }).publicKey;
}

/** An armored block with a random body under the given label. */
export function armored(label: string, bytes = 400): string {
  const body = randomBytes(bytes).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** OpenSSH's own format: base64 of "openssh-key-v1\0" and key data, 70-column lines. */
export function opensshKey(): string {
  const raw = Buffer.concat([Buffer.from('openssh-key-v1\0'), randomBytes(380)]);
  const body = raw.toString('base64').replace(/(.{70})/g, '$1\n').trimEnd();
  const label = 'OPENSSH ' + 'PRIVATE KEY';
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
