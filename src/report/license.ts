/**
 * SPDX license expressions (SPDX 2.3 Annex D). A package's declared license is free text
 * from its metadata; formats that put it into a field typed as an SPDX expression need
 * to know whether it really is one, since an invalid expression makes the whole document
 * invalid.
 */
import { SPDX } from '@cyclonedx/cyclonedx-library';

const IDSTRING = /^[A-Za-z0-9.-]+$/;
const LICENSE_REF = /^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/;

/** A license id from the SPDX list in its canonical case (optionally with "+"), or a LicenseRef. */
function licenseId(token: string): string | undefined {
  if (LICENSE_REF.test(token)) return token;
  const plus = token.endsWith('+');
  const id = SPDX.fixupSpdxId(plus ? token.slice(0, -1) : token);
  if (id === undefined) return undefined;
  return plus && !id.endsWith('+') ? `${id}+` : id;
}

/**
 * Recursive descent over the Annex D grammar; operators are matched case-sensitively as the
 * spec says. Returns the tokens with ids in canonical case, or undefined when not valid.
 */
function parse(tokens: readonly string[]): string[] | undefined {
  const out: string[] = [];
  let i = 0;

  const atom = (): boolean => {
    const t = tokens[i];
    if (t === '(') {
      out.push('(');
      i++;
      if (!orExpr() || tokens[i] !== ')') return false;
      out.push(')');
      i++;
      return true;
    }
    const id = t === undefined ? undefined : licenseId(t);
    if (id === undefined) return false;
    out.push(id);
    i++;
    return true;
  };
  const withExpr = (): boolean => {
    if (!atom()) return false;
    if (tokens[i] !== 'WITH') return true;
    // Exceptions are not in the license list cavas has; their idstring syntax is checked.
    const exception = tokens[i + 1];
    if (exception === undefined || !IDSTRING.test(exception)) return false;
    out.push('WITH', exception);
    i += 2;
    return true;
  };
  const binary = (operator: string, operand: () => boolean) => (): boolean => {
    if (!operand()) return false;
    while (tokens[i] === operator) {
      out.push(operator);
      i++;
      if (!operand()) return false;
    }
    return true;
  };
  const andExpr = binary('AND', withExpr);
  const orExpr = binary('OR', andExpr);

  return orExpr() && i === tokens.length ? out : undefined;
}

/**
 * The text as a valid SPDX license expression (ids in canonical case), or undefined when it
 * is not one: Debian's "GPL-2+", Alpine's "MIT BSD GPL2+", lowercase operators, free text.
 */
export function spdxExpression(text: string): string | undefined {
  const tokens = text
    .replace(/([()])/g, ' $1 ')
    .split(/\s+/)
    .filter((t) => t !== '');
  if (tokens.length === 0) return undefined;
  const parsed = parse(tokens);
  if (!parsed) return undefined;
  return parsed.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')');
}
