/**
 * The generic rule: a literal assigned to a name that says password, secret, token or API
 * key, in any of the usual syntaxes (KEY=v, key: v, "key": "v", key => 'v', key="v").
 * Code mentions these names far more often than it holds a literal secret, so a value must
 * look like one: not a placeholder or a reference to something else, and random enough.
 */
import { hasTokenChecksum, isRepeatedFill, shannonEntropy } from './validators.js';

/** The names; lowercase, matched case-insensitively. Also the rule's prefilter keywords. */
export const ASSIGNMENT_KEYWORDS = ['passw', 'secret', 'token', 'apikey', 'api_key', 'api-key'] as const;

const NAME = String.raw`(?:passw(?:or)?d|secret|token|api[_-]?key)(?:[_.-]?(?:key|value|base|str|string|\d)){0,2}`;
const SEPARATOR = String.raw`["']?\]?[ \t]*(?:=>|:=|=(?!=)|:(?!:))[ \t]*`;
const VALUE = String.raw`(?:"([^"\r\n]{0,256})"|'([^'\r\n]{0,256})'|\x60([^\x60\r\n]{0,256})\x60|([^\s"'\x60,;)}\]>&]{1,256}))`;

/** Groups 1-3: a quoted value; group 4: an unquoted one. */
export const ASSIGNMENT_REGEX = new RegExp(NAME + SEPARATOR + VALUE, 'gi');
export const ASSIGNMENT_GROUPS = [1, 2, 3, 4] as const;

/**
 * Bits per character a value needs. Eight distinct characters give 3.0, so random passwords
 * of 8+ characters pass; English words mostly have 2.0-2.8 ("tomcat" 2.25, "required" 2.5).
 */
export const MIN_ENTROPY = 2.8;
/** Shorter values are too weak to tell apart from words and flags (admin, tomcat, hunter2). */
export const MIN_LENGTH = 8;

/** Shipped defaults meant to be changed: worth reporting even though they are not random. */
const KNOWN_DEFAULTS = new Set(['changeme', 'change_me', 'change-me', 'changeit', 'changethis', 'change_this']);

/** Values that stand for "no secret here" or name a type or setting. */
const STOP_WORDS = new Set([
  'null', 'nil', 'none', 'undefined', 'true', 'false', 'yes', 'no', 'on', 'off', 'empty', 'default',
  'string', 'str', 'bytes', 'int', 'integer', 'number', 'boolean', 'bool', 'object', 'any', 'unknown',
  'optional', 'required', 'hidden', 'disabled', 'enabled', 'redacted', 'removed', 'masked', 'sensitive',
  'placeholder', 'example', 'sample', 'dummy', 'notset', 'not_set', 'unset', 'secret', 'password', 'token',
]);

/** Ways of saying "fill this in" or "take it from elsewhere". */
const PLACEHOLDER = [
  /^\$/, // $VAR, ${VAR}, $(cmd)
  /\$\{|\{\{|\}\}|#\{|<%|%\(|%[sd]\b|%[A-Z_]+%/, // templates and interpolation
  /^<.*>$|^\[.*\]$|^\(.*\)$/, // <your-token>, [token], (none)
  /x{3,}|\*{3,}|\.{3}|…|#{3,}|_{3,}/i, // xxx, ****, ..., ###
  /(?:^|[-_ .])(?:your|my|example|sample|dummy|fake|test|placeholder|redacted|insert|enter|replace|todo|fixme|tbd|here)(?:[-_ .]|$)/i,
  /passw|secret|token|api.?key/i, // names itself: "your-api-key", "password123", "GITHUB_TOKEN"
];

/** Unquoted values that are code, not data. */
const CODE = [
  /[()[\]{}<>$%\\|]/, // calls, indexing, interpolation, formatting, pipes
  /^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+$/, // member access: self.password, process.env.TOKEN
  /^[@*&#:=+]/,
  /^[a-z]+:\/\//i, // a URL
  /^\.{0,2}\//, // a path
];

const LEET: Record<string, string> = { '0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's' };

/** Documentation passwords are words in leetspeak: s00pers3cret, rapunz3l, geheim$parole. */
function unleet(v: string): string {
  return v.replace(/[013457@$]/g, (c) => LEET[c] ?? c);
}

/** Base64 of printable text ("bm90IG15IHJlYWwgcGFzc3dvcmQ=" is "not my real password"). */
function decodedText(v: string): string | undefined {
  if (v.length < 12 || v.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) return undefined;
  const s = Buffer.from(v, 'base64').toString('latin1');
  return /^[\x20-\x7e]+$/.test(s) ? s : undefined;
}

export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v === '' || isRepeatedFill(v)) return true;
  if (STOP_WORDS.has(v.toLowerCase())) return true;
  if (PLACEHOLDER.some((re) => re.test(v) || re.test(unleet(v)))) return true;
  const decoded = decodedText(v);
  return decoded !== undefined && (/\s/.test(decoded) || PLACEHOLDER.some((re) => re.test(decoded)));
}

function randomEnough(v: string): boolean {
  if (v.length < MIN_LENGTH || shannonEntropy(v) < MIN_ENTROPY) return false;
  // Letters only once leetspeak is undone, in one case (or Capitalized): a word or an
  // identifier, unless it is long enough to be random base62. Random keys mix cases.
  const plain = unleet(v);
  return !/^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)$/.test(plain) || v.length >= 20;
}

export type ValueVerdict = 'secret' | 'default' | 'reject';

/** Decides on one value; `quoted` says whether it was a string literal. */
export function judgeValue(value: string, quoted: boolean): ValueVerdict {
  if (KNOWN_DEFAULTS.has(value.toLowerCase())) return 'default';
  if (isPlaceholder(value)) return 'reject';
  if (/\s/.test(value)) return 'reject'; // prose: "Enter the token:"
  // shaped like a checksummed GitHub or npm token, but the checksum is wrong: made up
  if (/^(?:gh[pousr]|npm)_[A-Za-z0-9]{36}$/.test(value) && !hasTokenChecksum(value)) return 'reject';
  if (/^[a-z]+(?:[-_][a-z]+){2,}$/.test(value)) return 'reject'; // a name: my-app-key, i-am-the-worst
  if (quoted) {
    if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return 'reject'; // names an env variable
    if (/^[a-z]+:\/\/[^@]*$/i.test(value) || /^\.{0,2}\/|^~\//.test(value)) return 'reject'; // a URL without credentials, a path
  } else {
    // ${DB_PASSWORD:-value} / ${DB_PASSWORD:=value}: the default after the operator is the value
    if (/^[-=]/.test(value)) return value.length > 1 ? judgeValue(value.slice(1), false) : 'reject';
    if (CODE.some((re) => re.test(value))) return 'reject';
    // a bare identifier is a variable or a type unless it mixes in digits
    if (/^[A-Za-z_]\w*$/.test(value) && !/\d/.test(value)) return 'reject';
  }
  return randomEnough(value) ? 'secret' : 'reject';
}

/**
 * Badge images (codecov, coveralls) carry a read-only token in their URL on purpose:
 * README badges are public by design.
 */
function inBadgeUrl(text: string, at: number): boolean {
  return /\/[^\s/?]+\.(?:svg|png)\?[^\s]*$/.test(text.slice(Math.max(0, at - 300), at));
}

/** The rule's verdict on one regex match: groups 1-3 are quoted values, group 4 unquoted. */
export function judgeAssignment(secret: string, match: RegExpExecArray, text: string): ValueVerdict {
  if (inBadgeUrl(text, match.index)) return 'reject';
  return judgeValue(secret, match[4] === undefined);
}

/** The whole name the keyword is part of (DB_PASSWORD, config.api_key), for messages. */
export function assignedName(text: string, keywordAt: number, match: string): string {
  let start = keywordAt;
  while (start > 0 && keywordAt - start < 64 && /[\w.-]/.test(text[start - 1]!)) start--;
  const head = /^[\w.-]+/.exec(match);
  return (text.slice(start, keywordAt) + (head ? head[0] : '')).replace(/^[-.]+/, '').slice(0, 80);
}
