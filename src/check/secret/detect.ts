/**
 * Runs the secret rules over one text. Most files of an image hold no keyword at all, so
 * the cost that matters is one pass of a combined keyword regex (plus an indexOf for each
 * case-sensitive literal); the rule regexes run only on the lines (or, for multiline rules,
 * the texts) where one of their keywords was seen.
 *
 * Secrets stay in this module: what leaves it is redacted (first 4 characters, then ****).
 */
import type { Severity } from '../../types.js';
import { documentedExample } from './examples.js';
import { secretRules, type SecretCandidate, type SecretRule } from './rules.js';

export interface SecretMatch {
  ruleId: string;
  /** 1-based line where the match starts (the BEGIN line of a PEM block). */
  line: number;
  /** The secret, redacted. */
  match: string;
  severity: Severity;
  message: string;
}

export interface FindSecretsOptions {
  rules?: readonly SecretRule[];
  /** Rule ids not applied. */
  disabled?: ReadonlySet<string>;
  /** Ends each message; default "in this file" (say "in config.Env[2]" for other sources). */
  where?: string;
}

/** Below this length even 4 characters give away too much of a secret. */
const REDACT_MIN_LENGTH = 16;

/** First 4 characters, then ****; secrets under 16 characters are **** only. */
export function redact(secret: string): string {
  return secret.length < REDACT_MIN_LENGTH ? '****' : `${secret.slice(0, 4)}****`;
}

interface CompiledRule {
  rule: SecretRule;
  /** A private copy with the d flag: lastIndex is ours, and groups come with offsets. */
  regex: RegExp;
  groups: readonly number[];
}

interface Compiled {
  rules: CompiledRule[];
  /** Global, case-insensitive alternation of every keyword, longest first. */
  prefilter: RegExp | undefined;
  /** Keyword seen -> rules to run: its own and those of the keywords it starts with. */
  byKeyword: Map<string, number[]>;
  /** Case-sensitive literals, each with its rules. */
  literals: Array<{ literal: string; rules: number[] }>;
  /** Rules with neither keywords nor literals: run on every text. */
  always: number[];
}

const compiledCache = new WeakMap<readonly SecretRule[], Compiled>();

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(rules: readonly SecretRule[]): Compiled {
  const cached = compiledCache.get(rules);
  if (cached) return cached;
  const out: Compiled = { rules: [], prefilter: undefined, byKeyword: new Map(), literals: [], always: [] };
  const own = new Map<string, number[]>();
  const literals = new Map<string, number[]>();
  rules.forEach((rule, i) => {
    if (!rule.regex.global || rule.regex.sticky) throw new Error(`secret rule ${rule.id}: regex must be global and not sticky`);
    const flags = rule.regex.flags.includes('d') ? rule.regex.flags : rule.regex.flags + 'd';
    const groups = typeof rule.secretGroup === 'number' ? [rule.secretGroup] : [...rule.secretGroup];
    out.rules.push({ rule, regex: new RegExp(rule.regex.source, flags), groups });
    const keywords = rule.keywords ?? [];
    const lits = rule.literals ?? [];
    if (keywords.length === 0 && lits.length === 0) out.always.push(i);
    for (const [list, k] of [...keywords.map((k) => [own, k.toLowerCase()] as const), ...lits.map((k) => [literals, k] as const)]) {
      if (k === '' || /[\r\n]/.test(k)) throw new Error(`secret rule ${rule.id}: bad keyword`);
      const rulesOf = list.get(k) ?? [];
      if (!rulesOf.includes(i)) rulesOf.push(i);
      list.set(k, rulesOf);
    }
  });
  for (const [literal, rulesOf] of literals) out.literals.push({ literal, rules: rulesOf });
  const keywords = [...own.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  if (keywords.length > 0) out.prefilter = new RegExp(keywords.map(escapeRegex).join('|'), 'gi');
  // At one position the alternation reports only the longest keyword that matches there;
  // the shorter ones that also match are its prefixes, so their rules are added here.
  for (const kw of keywords) {
    const set = new Set<number>();
    for (const [other, idx] of own) if (kw.startsWith(other)) for (const i of idx) set.add(i);
    out.byKeyword.set(kw, [...set].sort((a, b) => a - b));
  }
  compiledCache.set(rules, out);
  return out;
}

interface Hit {
  rule: number;
  /** Offsets in the whole text. */
  matchStart: number;
  start: number;
  end: number;
  secret: string;
  phrase: string;
}

function firstGroup(m: RegExpExecArray, groups: readonly number[]): number | undefined {
  for (const g of groups) if (m[g] !== undefined && m[g] !== '') return g;
  return undefined;
}

/** Rule callbacks see hostile text; one that throws rejects its candidate and nothing else. */
function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function runRule(c: CompiledRule, index: number, subject: string, base: number, hits: Hit[]): void {
  const { rule, regex, groups } = c;
  regex.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = regex.exec(subject)) !== null) {
    if (m[0].length === 0) {
      regex.lastIndex++;
      continue;
    }
    const g = firstGroup(m, groups);
    const span = g === undefined ? undefined : m.indices?.[g];
    if (g === undefined || span === undefined) continue;
    const cand: SecretCandidate = { secret: m[g]!, match: m, text: subject };
    if (rule.validate && !safely(() => rule.validate!(cand), false)) continue;
    const phrase = rule.describe ? safely(() => rule.describe!(cand), rule.label) : rule.label;
    hits.push({ rule: index, matchStart: base + m.index, start: base + span[0], end: base + span[1], secret: cand.secret, phrase });
  }
}

/** Drops the matches another rule's match on an overlapping span supersedes. */
function resolveOverlaps(hits: Hit[], rules: readonly CompiledRule[]): Hit[] {
  if (hits.length < 2) return hits;
  const sorted = [...hits].sort((a, b) => a.start - b.start);
  const dropped = new Set<Hit>();
  const beats = (a: Hit, b: Hit): boolean => {
    const ra = rules[a.rule]!.rule;
    const rb = rules[b.rule]!.rule;
    if (ra === rb) return false;
    return (rb.generic === true && ra.generic !== true) || (ra.shadows?.includes(rb.id) ?? false);
  };
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length && sorted[j]!.start < a.end; j++) {
      const b = sorted[j]!;
      if (beats(a, b)) dropped.add(b);
      else if (beats(b, a)) dropped.add(a);
    }
  }
  return dropped.size === 0 ? hits : hits.filter((h) => !dropped.has(h));
}

/** Line numbers for ascending offsets, counting each newline once. */
class LineCounter {
  private offset = 0;
  private line = 1;
  constructor(private readonly text: string) {}
  at(offset: number): number {
    if (offset < this.offset) {
      this.offset = 0;
      this.line = 1;
    }
    for (let i = this.text.indexOf('\n', this.offset); i !== -1 && i < offset; i = this.text.indexOf('\n', i + 1)) this.line++;
    this.offset = offset;
    return this.line;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The secrets the rules find in text, overlaps resolved, in text order. Raw values: never export them. */
function detect(text: string, opts: FindSecretsOptions): { kept: Hit[]; c: Compiled } {
  const c = compile(opts.rules ?? secretRules);
  const disabled = opts.disabled;
  const enabled = (i: number): boolean => !disabled || !disabled.has(c.rules[i]!.rule.id);
  const hits: Hit[] = [];
  const ranOnText = new Set<number>();
  const runOnText = (i: number): void => {
    if (ranOnText.has(i) || !enabled(i)) return;
    ranOnText.add(i);
    runRule(c.rules[i]!, i, text, 0, hits);
  };
  for (const i of c.always) runOnText(i);

  // A keyword at `at` wakes its rules: multiline ones over the text, once; the others over
  // that keyword's line, once per line.
  let lineStart = 0;
  let lineEnd = -1;
  let line = '';
  const ranOnLine = new Set<number>();
  const wake = (at: number, rulesOf: readonly number[]): void => {
    for (const i of rulesOf) {
      const cr = c.rules[i]!;
      if (cr.rule.multiline) {
        runOnText(i);
        continue;
      }
      if (!enabled(i)) continue;
      if (at >= lineEnd || at < lineStart) {
        lineStart = text.lastIndexOf('\n', at) + 1;
        lineEnd = text.indexOf('\n', at);
        if (lineEnd === -1) lineEnd = text.length;
        line = text.slice(lineStart, lineEnd);
        ranOnLine.clear();
      }
      if (ranOnLine.has(i)) continue;
      ranOnLine.add(i);
      runRule(cr, i, line, lineStart, hits);
    }
  };
  for (const { literal, rules } of c.literals) {
    for (let at = text.indexOf(literal); at !== -1; at = text.indexOf(literal, at + 1)) wake(at, rules);
  }
  const pf = c.prefilter;
  if (pf) {
    pf.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = pf.exec(text)) !== null) {
      wake(m.index, c.byKeyword.get(m[0].toLowerCase()) ?? []);
      // keywords can overlap ("_password" holds "passw"): resume one character on
      pf.lastIndex = m.index + 1;
    }
  }
  if (hits.length === 0) return { kept: [], c };
  return { kept: resolveOverlaps(hits, c.rules).sort((a, b) => a.matchStart - b.matchStart || a.rule - b.rule), c };
}

/**
 * The text with every secret the rules find replaced by its redacted form: for the parts
 * of an image a report shows verbatim (Env, Labels, history).
 */
export function redactSecrets(text: string, opts: FindSecretsOptions = {}): string {
  const { kept } = detect(text, opts);
  let out = text;
  // longest first, so a secret that contains another is replaced whole
  for (const secret of [...new Set(kept.map((h) => h.secret))].sort((a, b) => b.length - a.length)) out = out.split(secret).join(redact(secret));
  return out;
}

export function findSecrets(text: string, opts: FindSecretsOptions = {}): SecretMatch[] {
  const { kept, c } = detect(text, opts);
  if (kept.length === 0) return [];
  const lines = new LineCounter(text);
  const seen = new Set<string>();
  const where = opts.where ?? 'in this file';
  const out: SecretMatch[] = [];
  for (const h of kept) {
    const rule = c.rules[h.rule]!.rule;
    const line = lines.at(h.matchStart);
    const key = `${rule.id}\u0000${line}\u0000${h.secret}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const shown = redact(h.secret);
    let message = `${capitalize(h.phrase)} ${shown} ${where}`;
    const example = documentedExample(h.secret, rule.exampleVendor);
    if (example !== undefined) message += ` is ${example}, not a live credential`;
    out.push({ ruleId: rule.id, line, match: shown, severity: example === undefined ? rule.severity : 'LOW', message });
  }
  return out;
}
