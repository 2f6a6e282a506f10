/**
 * Values published as examples in vendor documentation and RFCs. They turn up in images
 * inside library docs and tests; they are reported LOW, saying what they are, rather than
 * dropped (a config that still holds the example is worth a look, not an alarm).
 */

/** AWS's documentation keys: an access key ID and a secret key that both end in EXAMPLE(KEY). */
const EXAMPLE_SUFFIX = /EXAMPLE(?:KEY)?$/;

/** The OAuth 2.0 RFCs' example codes, tokens and client credentials. */
const RFC_EXAMPLES = new Map<string, string>([
  ['SplxlOBeZQQYbYS6WxSbIA', 'RFC 6749'],
  ['2YotnFZFEjr1zCsicMWpAA', 'RFC 6749'],
  ['tGzv3JOkF0XG5Qx2TlKWIA', 'RFC 6749'],
  ['7Fjfp0ZBr1KtDRbnfVdmIw', 'RFC 6749'],
  ['czZCaGRSa3F0MzpnWDFmQmF0M2JW', 'RFC 6749'],
  ['h480djs93hd8', 'RFC 6749'],
  ['mF_9.B5f-4.1JqM', 'RFC 6750'],
]);

/** Signature of the HS256 sample token on jwt.io ("John Doe"), copied into countless READMEs. */
const JWT_IO_SIGNATURE = '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

/** What the value is an example of ("AWS's documented example key"), or undefined for anything else. */
export function documentedExample(secret: string, vendor?: string): string | undefined {
  if (EXAMPLE_SUFFIX.test(secret)) return vendor ? `${vendor}'s documented example key` : 'a documentation example value (ends in EXAMPLE)';
  const rfc = RFC_EXAMPLES.get(secret);
  if (rfc) return `the example value from ${rfc}`;
  if (secret.endsWith(JWT_IO_SIGNATURE)) return 'the sample token from jwt.io';
  return undefined;
}
