/** Small text helpers shared by the file rules: lines, INI sections, XML attributes. */

export interface Line {
  /** 1-based. */
  line: number;
  text: string;
}

export function lines(content: string): Line[] {
  return content.split(/\r?\n/).map((text, i) => ({ line: i + 1, text }));
}

/** Strings put into messages come from the image: keep them printable and short. */
export function quoteForMessage(s: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

export interface IniEntry {
  /** Lower-cased section name, '' before the first header. */
  section: string;
  key: string;
  /** undefined for a bare key without '=' (a MySQL boolean option). */
  value: string | undefined;
  line: number;
}

/**
 * Entries of an INI file, comments (# or ; at line start) dropped. Values are trimmed
 * and one pair of surrounding quotes removed; keys are kept as written.
 */
export function iniEntries(content: string, opts: { inlineComments?: boolean } = {}): IniEntry[] {
  const out: IniEntry[] = [];
  let section = '';
  for (const { line, text } of lines(content)) {
    const t = text.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const header = /^\[([^\]]*)\]/.exec(t);
    if (header) {
      section = (header[1] ?? '').trim().toLowerCase();
      continue;
    }
    const eq = t.indexOf('=');
    if (eq === -1) {
      out.push({ section, key: t, value: undefined, line });
      continue;
    }
    let value = t.slice(eq + 1).trim();
    if (opts.inlineComments && !value.startsWith('"') && !value.startsWith("'")) {
      value = value.replace(/\s[#;].*$/, '').trim();
    }
    out.push({ section, key: t.slice(0, eq).trim(), value: unquote(value), line });
  }
  return out;
}

export function unquote(v: string): string {
  if (v.length >= 6 && v.startsWith('"""') && v.endsWith('"""')) return v.slice(3, -3);
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

/**
 * The text with every XML comment blanked out (newlines kept, so offsets and line
 * numbers stay valid). An unterminated comment runs to the end, as a parser would
 * reject the rest anyway.
 */
export function blankXmlComments(xml: string): string {
  return xml.replace(/<!--[\s\S]*?(?:-->|$)/g, (c) => c.replace(/[^\n]/g, ' '));
}

export interface XmlElement {
  attrs: Map<string, string>;
  /** Offset of the '<' in the text. */
  offset: number;
}

const ATTR = /([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * Start tags named `name` (any attribute order, either quote, any whitespace) in text
 * whose comments were already blanked. Not a parser: enough for flat config files.
 */
export function xmlElements(text: string, name: string): XmlElement[] {
  const tag = new RegExp(`<${name}((?:\\s+[A-Za-z_:][\\w:.-]*\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*/?>`, 'g');
  const out: XmlElement[] = [];
  for (const m of text.matchAll(tag)) {
    const attrs = new Map<string, string>();
    for (const a of (m[1] ?? '').matchAll(ATTR)) {
      attrs.set(a[1] ?? '', decodeXmlEntities(a[2] ?? a[3] ?? ''));
    }
    out.push({ attrs, offset: m.index });
  }
  return out;
}

/** Text content of the first <name>...</name> element, entities decoded. */
export function xmlElementText(text: string, name: string): { value: string; offset: number } | undefined {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}\\s*>`).exec(text);
  return m ? { value: decodeXmlEntities(m[1] ?? '').trim(), offset: m.index } : undefined;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (all, e: string) => {
    if (e.startsWith('#')) {
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return NAMED[e] ?? all;
  });
}

/** Name of the document element (comments must be blanked first). */
export function xmlRootName(text: string): string | undefined {
  return /<(?![?!])([A-Za-z_][\w:.-]*)/.exec(text)?.[1];
}
