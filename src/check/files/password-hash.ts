/**
 * Checks a stored password hash against the weak-password guesses. Supports the
 * htpasswd schemes ({SHA}, $apr1$, bcrypt, plain text); bcrypt is deliberately slow,
 * so its work is capped per file by a budget the caller owns.
 */
import { createHash } from 'node:crypto';
import aprMd5 from 'apache-md5';
import bcrypt from 'bcryptjs';
import { candidatesFor, type WeakReason } from './weak-passwords.js';

export type HashScheme = 'sha1' | 'apr1' | 'bcrypt' | 'plain';

/** Hashes above this cost are not tried: one guess at cost 13 takes about a second in bcryptjs. */
export const MAX_BCRYPT_COST = 12;

/**
 * Bcrypt work left for one file, in units of 2^cost (one guess at cost 10 is 1024 units,
 * about 0.1 s in bcryptjs). A file with many bcrypt users gets the first ones checked
 * fully instead of taking minutes.
 */
export class BcryptBudget {
  constructor(public units = 20 * 1024) {}
  take(cost: number): boolean {
    const need = 2 ** cost;
    if (need > this.units) return false;
    this.units -= need;
    return true;
  }
}

const BCRYPT = /^\$2[abxy]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const APR1 = /^\$apr1\$[^$]{1,8}\$[./A-Za-z0-9]{22}$/;
const SHA1 = /^\{SHA\}[A-Za-z0-9+/]{27}=$/;

/**
 * The scheme of an htpasswd hash field. Other `$...$` crypt schemes, DES crypt (13 chars of
 * the crypt alphabet) and anything else unrecognised give undefined: they are skipped.
 */
export function hashScheme(hash: string): HashScheme | undefined {
  if (BCRYPT.test(hash)) return 'bcrypt';
  if (APR1.test(hash)) return 'apr1';
  if (SHA1.test(hash)) return 'sha1';
  if (hash.startsWith('$') || hash.startsWith('{') || /^[./A-Za-z0-9]{13}$/.test(hash)) return undefined;
  return 'plain';
}

/** The reason the hash is weak for this user, or undefined (not weak, unknown scheme, or out of budget). */
export function weakHashReason(username: string, hash: string, budget: BcryptBudget): WeakReason | undefined {
  const matches = matcher(hash, budget);
  if (matches === undefined) return undefined;
  for (const c of candidatesFor(username)) {
    const m = matches(c.password);
    if (m === 'stop') return undefined;
    if (m) return c.reason;
  }
  return undefined;
}

/** A test of one guess against the hash; 'stop' when the bcrypt budget ran out. */
type Matcher = (password: string) => boolean | 'stop';

function matcher(hash: string, budget: BcryptBudget): Matcher | undefined {
  switch (hashScheme(hash)) {
    case undefined:
      return undefined;
    case 'plain':
      return (p) => p === hash;
    case 'sha1':
      return (p) => `{SHA}${createHash('sha1').update(p, 'utf8').digest('base64')}` === hash;
    case 'apr1':
      return (p) => aprMd5(p, hash) === hash;
    case 'bcrypt': {
      const cost = Number(BCRYPT.exec(hash)?.[1]);
      if (!(cost >= 4 && cost <= MAX_BCRYPT_COST)) return undefined;
      // bcryptjs rejects $2x$; it differs from $2a$ only for non-ASCII bytes, which no guess has.
      const normal = hash.replace(/^\$2x\$/, '$2a$');
      return (p) => (budget.take(cost) ? bcrypt.compareSync(p, normal) : 'stop');
    }
  }
}
