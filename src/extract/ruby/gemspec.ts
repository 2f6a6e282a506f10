/**
 * Installed gem specifications (`specifications/*.gemspec`), the Ruby files RubyGems
 * writes at install time:
 *
 *   # stub: rake 13.0.6 ruby lib
 *   Gem::Specification.new do |s|
 *     s.name = "rake".freeze
 *     s.version = "13.0.6"
 *     s.licenses = ["MIT".freeze]
 *
 * They are never evaluated: only these literal assignments are read, line by line.
 */

export interface GemFacts {
  name?: string;
  version?: string;
  license?: string;
}

const MAX_LINE = 4096;
const BLOCK = /Gem::Specification\.new\s*(?:do|\{)\s*\|\s*(\w+)\s*\|/;
// <var>.<field> = "literal"(.freeze)  or  <var>.version = Gem::Version.new("literal")
const ASSIGN = /^\s*(\w+)\.(name|version|licenses?)\s*=\s*(.*)$/;
const QUOTED = /(["'])([^"'\\]*)\1/g;
const STUB = /^#\s*stub:\s*(\S+)\s+(\S+)/;

function literals(rhs: string): string[] {
  return [...rhs.matchAll(QUOTED)].map((m) => m[2]!);
}

export function parseGemspec(text: string): GemFacts {
  const facts: GemFacts = {};
  let blockVar: string | undefined;
  let stub: { name: string; version: string } | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.length > MAX_LINE) continue;
    const s = STUB.exec(line);
    if (s) stub ??= { name: s[1]!, version: s[2]! };
    const b = BLOCK.exec(line);
    if (b) {
      blockVar ??= b[1];
      continue;
    }
    const a = ASSIGN.exec(line);
    if (!a || (blockVar !== undefined && a[1] !== blockVar)) continue;
    const field = a[2]!;
    const values = literals(a[3]!);
    if (field === 'name' && facts.name === undefined && values[0]) facts.name = values[0];
    else if (field === 'version' && facts.version === undefined && values[0]) facts.version = values[0];
    else if (field.startsWith('license') && facts.license === undefined && values.length) facts.license = values.join(', ');
  }
  // the stub line is written by RubyGems from the same spec; a fallback when assignments are unusual
  if (stub) {
    facts.name ??= stub.name;
    facts.version ??= stub.version;
  }
  return facts;
}

export function reduceGemspec(_path: string, content: Buffer): Buffer {
  return Buffer.from(JSON.stringify(parseGemspec(content.toString('utf8'))));
}

export function readGemFacts(kept: Buffer): GemFacts {
  const text = kept.toString('utf8');
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as GemFacts;
    } catch {
      // a gemspec that starts with '{' is not Ruby anyone writes; fall through
    }
  }
  return parseGemspec(text);
}
