/**
 * Passwords that images ship as defaults or that scanners and attackers try first.
 * Ordered by how often they show up, because slow hashes (bcrypt) may not get through
 * the whole list.
 */
export const WELL_KNOWN_PASSWORDS: readonly string[] = [
  'password',
  'admin',
  '123456',
  'changeme',
  'secret',
  'test',
  'root',
  'tomcat',
  's3cret',
  'manager',
  'letmein',
  'qwerty',
  '12345678',
  'pass',
  'default',
  'guest',
  'demo',
  'admin123',
  'password1',
  'changeit',
];

/** Why a password counts as weak; messages say this instead of the password. */
export type WeakReason = 'username' | 'empty' | 'well-known';

export interface Candidate {
  password: string;
  reason: WeakReason;
}

/** The guesses for one user, cheapest-to-justify first: the username, then the list, then empty. */
export function candidatesFor(username: string): Candidate[] {
  const out: Candidate[] = [];
  if (username !== '') out.push({ password: username, reason: 'username' });
  for (const p of WELL_KNOWN_PASSWORDS) if (p !== username) out.push({ password: p, reason: 'well-known' });
  out.push({ password: '', reason: 'empty' });
  return out;
}

/** Classifies a password seen in plain text, or undefined when it is not a known weak one. */
export function weakReason(username: string, password: string): WeakReason | undefined {
  if (password === '') return 'empty';
  if (password === username) return 'username';
  return WELL_KNOWN_PASSWORDS.includes(password.toLowerCase()) ? 'well-known' : undefined;
}

export function describeWeak(reason: WeakReason): string {
  switch (reason) {
    case 'username':
      return 'its password equals the username';
    case 'empty':
      return 'its password is empty';
    case 'well-known':
      return 'its password is a well-known default';
  }
}
