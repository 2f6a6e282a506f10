/**
 * Names of variables that hold credentials (DB_PASSWORD, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY),
 * and values that are clearly not one (empty, a reference to another variable, a path).
 */
const SECRET_NAME_RE = /(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|credential|auth[_-]?key|client[_-]?secret)$|^(password|passwd|secret|token)|_(password|passwd|secret|token)_/i;
/** Names that match the pattern but hold no secret. */
const NOT_SECRET_NAME_RE = /(_FILE|_PATH|_DIR|_URL|_HOST|_PORT|_USER|_USERNAME|_NAME|_LENGTH|_TTL|_EXPIRY|_TIMEOUT)$|^(GPG_KEY|KEY_ID|PUBLIC_KEY)$/i;

export function looksSecretName(name: string): boolean {
  return SECRET_NAME_RE.test(name) && !NOT_SECRET_NAME_RE.test(name);
}

/** Values that cannot be a credential: empty, ${VAR}/$VAR references, paths, booleans, placeholders. */
export function isPlaceholderValue(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  if (v === '') return true;
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v)) return true;
  if (/^(\/|\.\/|~\/)/.test(v)) return true;
  if (/^(true|false|yes|no|null|none|nil|undefined|changeme_at_runtime)$/i.test(v)) return true;
  if (/^<[^>]*>$/.test(v) || /^\*+$/.test(v) || /^x+$/i.test(v)) return true;
  return false;
}

/** First 4 characters then ****: enough to recognise a value, too little to use it. */
export function redactValue(value: string): string {
  const chars = Array.from(value);
  return chars.length <= 4 ? '****' : chars.slice(0, 4).join('') + '****';
}
