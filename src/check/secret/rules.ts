/**
 * The secret rules. Each names what to look for (a regex), when to bother (keywords for the
 * prefilter in detect.ts) and how to tell a real secret from something shaped like one
 * (validate). Adding a secret type is adding an entry here and a test case.
 *
 * Severity, one principle for all rules:
 * - CRITICAL: material that on its own authenticates as an identity with broad reach, where
 *   rotation means re-keying infrastructure: private keys (servers, signing, SSH) and cloud
 *   credentials (AWS secret access key, GCP service account key, Azure storage key and client
 *   secret) that open a whole account or subscription.
 * - HIGH: bearer tokens for one service (GitHub, GitLab, Slack, Stripe, npm, PyPI, a registry
 *   login). Serious, supply chain included, but scoped to that service and revocable there.
 *   An AWS access key ID is HIGH too: it is an identifier, not a credential by itself, but
 *   its secret is rarely far away.
 * - MEDIUM: JWTs (often short-lived, often test data) and generic password/token assignments,
 *   which are heuristic.
 * Documented example keys are reported LOW whatever the rule says (detect.ts).
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../../types.js';
import type { RuleInfo } from '../rule.js';
import { ASSIGNMENT_GROUPS, ASSIGNMENT_KEYWORDS, ASSIGNMENT_REGEX, assignedName, isPlaceholder, judgeAssignment } from './assignment.js';
import { hasTokenChecksum, isBasicAuthPair, isJwtHeader, isRepeatedFill, shannonEntropy } from './validators.js';

/** What a rule's validate and describe see of one regex match. */
export interface SecretCandidate {
  /** The capture group holding the secret. Never to be copied into output: detect.ts redacts. */
  readonly secret: string;
  readonly match: RegExpExecArray;
  /** The text the regex ran on: the whole file for multiline rules, otherwise the one line. */
  readonly text: string;
}

export interface SecretRule extends RuleInfo {
  readonly kind: 'secret';
  /** Noun phrase for messages: "GitHub personal access token". */
  readonly label: string;
  /**
   * Global, not sticky. Unless `multiline`, a match lies within one line, and that line holds
   * one of the keywords: detect.ts runs the regex only over lines where a keyword was seen.
   */
  readonly regex: RegExp;
  /** The capture group that is the secret (0: the whole match); with several, the first that matched. */
  readonly secretGroup: number | readonly number[];
  /**
   * Lowercase literals for the prefilter, matched case-insensitively. Every match must share
   * its line with one (multiline rules: its text). A rule with neither keywords nor literals
   * runs on every text.
   */
  readonly keywords?: readonly string[];
  /**
   * Case-sensitive markers found with indexOf instead of the combined keyword regex: for
   * short ones (Q~) that would slow that regex down for every file (measured: about a
   * quarter more time for one two-character keyword). Same contract as keywords.
   */
  readonly literals?: readonly string[];
  /** A match may span lines (PEM blocks, JSON documents): the regex runs over the whole text. */
  readonly multiline?: boolean;
  /** False rejects the candidate. Must not throw; detect.ts treats a throw as false. */
  readonly validate?: (c: SecretCandidate) => boolean;
  /** A more precise noun phrase for this match than `label` (never containing the secret). */
  readonly describe?: (c: SecretCandidate) => string;
  /** Heuristic rule: its matches give way to any other rule's match on an overlapping span. */
  readonly generic?: boolean;
  /** Rules whose matches on an overlapping span this rule's match replaces. */
  readonly shadows?: readonly string[];
  /** Whose documentation the "...EXAMPLE" values of this rule come from, for the LOW message. */
  readonly exampleVendor?: string;
}

const REFERENCES = ['NIST SP 800-190 3.1.4', 'CIS Docker 4.10'] as const;

const ROTATE = 'rotate it, remove it from every layer, and inject it at run time (secret store, mounted file, environment)';

function rule(r: Omit<SecretRule, 'kind' | 'references' | 'id'> & { name: string }): SecretRule {
  const { name, ...rest } = r;
  return { id: `secret/${name}`, kind: 'secret', references: REFERENCES, ...rest };
}

/** Random key material; placeholders such as xxxx… or 0000… are not. */
function looksRandom(s: string, minBits: number): boolean {
  return !isRepeatedFill(s) && shannonEntropy(s) >= minBits;
}

const CRITICAL: Severity = 'CRITICAL';
const HIGH: Severity = 'HIGH';
const MEDIUM: Severity = 'MEDIUM';

/** A real newline, or the two characters \n inside a JSON or shell string. */
const NL = String.raw`(?:\r?\n|(?:\\r)?\\n)`;

const GITHUB_PREFIX_LABEL: Record<string, string> = {
  ghu: 'GitHub App user-to-server token',
  ghs: 'GitHub App installation token',
};

export const secretRules: readonly SecretRule[] = [
  rule({
    name: 'private-key',
    label: 'private key',
    severity: CRITICAL,
    title: 'Private key in the image',
    remediation: `Generate a new key pair, revoke this one, and mount the key at run time instead of copying it into a layer (${ROTATE}).`,
    // PKCS#1 (RSA/EC/DSA), PKCS#8 (plain and ENCRYPTED), OpenSSH and PGP; the body must be
    // there in full, so code and docs that only name the header do not match. Legacy
    // encrypted PEM headers (Proc-Type, DEK-Info) are skipped; the secret is the base64 body.
    regex: new RegExp(
      String.raw`-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----[ \t]*${NL}` +
        String.raw`(?:[A-Za-z-]+:[^\r\n\\]*${NL})*(?:[ \t]*${NL})?[ \t]*` +
        String.raw`([A-Za-z0-9+/][A-Za-z0-9+/=\s\\]{60,}?)-----END \1-----`,
      'g',
    ),
    secretGroup: 2,
    keywords: ['private key'],
    multiline: true,
    validate: ({ secret }) => {
      const b64 = secret.replace(/\\[rn]|\s/g, '');
      return b64.length >= 64 && looksRandom(b64, 4);
    },
    describe: ({ match }) => {
      const kind = match[1]!.replace(/ ?PRIVATE KEY.*/, '');
      return kind ? `${kind} private key` : 'private key (PKCS#8)';
    },
  }),
  rule({
    name: 'aws-access-key',
    label: 'AWS access key ID',
    severity: HIGH,
    title: 'AWS access key ID',
    remediation: `Deactivate the key in IAM and use an instance/task role or a secret store instead; ${ROTATE}.`,
    // AKIA: long-term IAM user key; ASIA: temporary STS key. 16 base32 characters follow.
    regex: /(?<![A-Za-z0-9])((?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Za-z0-9])/g,
    secretGroup: 1,
    keywords: ['akia', 'asia'],
    exampleVendor: 'AWS',
  }),
  rule({
    name: 'aws-secret-key',
    label: 'AWS secret access key',
    severity: CRITICAL,
    title: 'AWS secret access key',
    remediation: `Deactivate the key pair in IAM and use an instance/task role or a secret store instead; ${ROTATE}.`,
    // 40 base64 characters have no shape of their own: only the name next to them says what they are.
    regex: new RegExp(
      String.raw`(?:aws[_.-]?secret[_.-]?(?:access[_.-]?)?key|secret[_.-]?access[_.-]?key)["']?[ \t]*(?:=>|:=|=|:)[ \t]*["']?` +
        String.raw`([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
      'gi',
    ),
    secretGroup: 1,
    keywords: ['secret'],
    validate: ({ secret }) => looksRandom(secret, 3.5),
    exampleVendor: 'AWS',
  }),
  rule({
    name: 'gcp-service-account',
    label: 'GCP service account key',
    severity: CRITICAL,
    title: 'GCP service account key file',
    remediation: `Delete the key in IAM and use workload identity or a mounted secret; ${ROTATE}.`,
    regex: new RegExp(
      String.raw`"private_key"\s*:\s*"-----BEGIN (?:RSA )?PRIVATE KEY-----${NL}([A-Za-z0-9+/=\\]{64,}?)${NL}-----END (?:RSA )?PRIVATE KEY-----`,
      'g',
    ),
    secretGroup: 1,
    // the PEM inside holds "PRIVATE KEY": sharing the private-key rule's keyword costs nothing
    keywords: ['private key'],
    multiline: true,
    validate: ({ text }) => /"type"\s*:\s*"service_account"/.test(text),
    shadows: ['secret/private-key'],
  }),
  rule({
    name: 'azure-storage-key',
    label: 'Azure storage account key',
    severity: CRITICAL,
    title: 'Azure storage account key',
    remediation: `Rotate the account key in Azure and use a managed identity or a SAS from a secret store; ${ROTATE}.`,
    // The AccountKey of a connection string: 64 bytes, base64.
    regex: /(?<![A-Za-z0-9])AccountKey\s*=\s*([A-Za-z0-9+/]{86}==)/gi,
    secretGroup: 1,
    keywords: ['accountkey'],
    validate: ({ secret }) => looksRandom(secret, 4),
  }),
  rule({
    name: 'azure-client-secret',
    label: 'Azure AD client secret',
    severity: CRITICAL,
    title: 'Azure AD (Entra ID) application client secret',
    remediation: `Delete the secret from the app registration and use a managed identity or certificate; ${ROTATE}.`,
    // Client secrets issued since 2022: 3 characters, a digit, "Q~", then 31-34 more.
    regex: /(?<![\w~.-])([\w~.-]{3}\dQ~[\w~.-]{31,34})(?![\w~.-])/g,
    secretGroup: 1,
    literals: ['Q~'],
    validate: ({ secret }) => looksRandom(secret, 3.5) && /[A-Za-z]/.test(secret.slice(6)) && /\d/.test(secret.slice(6)),
  }),
  rule({
    name: 'github-pat',
    label: 'GitHub personal access token',
    severity: HIGH,
    title: 'GitHub personal access token',
    remediation: `Revoke the token in GitHub settings and pass one at build or run time as a secret; ${ROTATE}.`,
    // Classic tokens end in a CRC32 of their random part; fine-grained ones carry no checksum.
    regex: /(?<![A-Za-z0-9_])(ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])/g,
    secretGroup: 1,
    keywords: ['ghp_', 'github_pat_'],
    validate: ({ secret }) => (secret.startsWith('ghp_') ? hasTokenChecksum(secret) : looksRandom(secret.slice(11), 4)),
  }),
  rule({
    name: 'github-oauth-token',
    label: 'GitHub OAuth access token',
    severity: HIGH,
    title: 'GitHub OAuth access token',
    remediation: `Revoke the token (or the OAuth app's grant) in GitHub; ${ROTATE}.`,
    regex: /(?<![A-Za-z0-9_])(gho_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/g,
    secretGroup: 1,
    keywords: ['gho_'],
    validate: ({ secret }) => hasTokenChecksum(secret),
  }),
  rule({
    name: 'github-app-token',
    label: 'GitHub App token',
    severity: HIGH,
    title: 'GitHub App token',
    remediation: `Revoke the token and let the app mint short-lived tokens at run time; ${ROTATE}.`,
    regex: /(?<![A-Za-z0-9_])(gh[us]_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/g,
    secretGroup: 1,
    keywords: ['ghu_', 'ghs_'],
    validate: ({ secret }) => hasTokenChecksum(secret),
    describe: ({ secret }) => GITHUB_PREFIX_LABEL[secret.slice(0, 3)] ?? 'GitHub App token',
  }),
  rule({
    name: 'github-refresh-token',
    label: 'GitHub refresh token',
    severity: HIGH,
    title: 'GitHub App refresh token',
    remediation: `Revoke the app's authorization for the user; ${ROTATE}.`,
    regex: /(?<![A-Za-z0-9_])(ghr_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/g,
    secretGroup: 1,
    keywords: ['ghr_'],
    validate: ({ secret }) => hasTokenChecksum(secret),
  }),
  rule({
    name: 'gitlab-pat',
    label: 'GitLab personal access token',
    severity: HIGH,
    title: 'GitLab personal access token',
    remediation: `Revoke the token in GitLab and pass one at build or run time as a secret; ${ROTATE}.`,
    regex: /(?<![A-Za-z0-9_-])(glpat-[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9]{2}\.[A-Za-z0-9]{7,10})?)(?![A-Za-z0-9_-])/g,
    secretGroup: 1,
    keywords: ['glpat-'],
    validate: ({ secret }) => looksRandom(secret.slice(6), 3.5),
  }),
  rule({
    name: 'slack-token',
    label: 'Slack token',
    severity: HIGH,
    title: 'Slack API token',
    remediation: `Revoke the token in the Slack app settings; ${ROTATE}.`,
    // xoxb bot, xoxp user, xoxa app, xoxr refresh, xoxs legacy: digit groups, then the random part.
    regex: /(?<![A-Za-z0-9])(xox[abprs]-(?:\d+-){1,4}[A-Za-z0-9]{8,})(?![A-Za-z0-9-])/g,
    secretGroup: 1,
    keywords: ['xox'],
    validate: ({ secret }) => looksRandom(secret.slice(secret.lastIndexOf('-') + 1), 3),
  }),
  rule({
    name: 'slack-webhook',
    label: 'Slack incoming webhook URL',
    severity: HIGH,
    title: 'Slack incoming webhook URL',
    remediation: `Regenerate the webhook in Slack; ${ROTATE}.`,
    regex: /hooks\.slack\.com\/(?:services|workflows|triggers)\/(T[A-Z0-9]{6,}\/[AB][A-Z0-9]{6,}\/[A-Za-z0-9]{20,})/g,
    secretGroup: 1,
    keywords: ['hooks.slack.com'],
    validate: ({ secret }) => looksRandom(secret.slice(secret.lastIndexOf('/') + 1), 3.5),
  }),
  rule({
    name: 'stripe-key',
    label: 'Stripe live API key',
    severity: HIGH,
    title: 'Stripe live API key',
    remediation: `Roll the key in the Stripe dashboard; ${ROTATE}.`,
    regex: /(?<![A-Za-z0-9_])((?:sk|rk)_live_[A-Za-z0-9]{24,247})(?![A-Za-z0-9_])/g,
    secretGroup: 1,
    keywords: ['_live_'],
    validate: ({ secret }) => looksRandom(secret.slice(8), 3.5),
    describe: ({ secret }) => (secret.startsWith('rk_') ? 'Stripe live restricted key' : 'Stripe live secret key'),
  }),
  rule({
    name: 'npm-token',
    label: 'npm access token',
    severity: HIGH,
    title: 'npm access token',
    remediation: `Revoke the token on the registry and use a build secret for installs; ${ROTATE}.`,
    regex: /(?<![A-Za-z0-9_])(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/g,
    secretGroup: 1,
    keywords: ['npm_'],
    validate: ({ secret }) => hasTokenChecksum(secret),
    shadows: ['secret/npmrc-auth'],
  }),
  rule({
    name: 'npmrc-auth',
    label: 'npm registry credential',
    severity: HIGH,
    title: 'Registry credential in .npmrc',
    remediation: `Revoke the token on the registry; use a build secret mounted only for npm install (${ROTATE}).`,
    // "//host/:_authToken=" a token, "_auth=" base64 of user:pass, "//host/:_password=" base64
    regex: /(?:^|[\s;])(?:\/\/[^\s=]{0,256}:)?_(?:authToken|auth|password)[ \t]*=[ \t]*["']?([^\s"'#;]+)/gim,
    secretGroup: 1,
    keywords: ['_auth', 'passw'],
    validate: ({ secret }) => secret.length >= 8 && !/[()[\]{}<>$%]/.test(secret) && !isPlaceholder(secret) && looksRandom(secret, 3),
  }),
  rule({
    name: 'pypi-token',
    label: 'PyPI API token',
    severity: HIGH,
    title: 'PyPI API token',
    remediation: `Delete the token in the PyPI account settings and use trusted publishing or a build secret; ${ROTATE}.`,
    // A macaroon whose first caveat names the index: pypi.org or test.pypi.org.
    regex: /(?<![A-Za-z0-9_-])(pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})/g,
    secretGroup: 1,
    keywords: ['pypi-ag'],
  }),
  rule({
    name: 'docker-config-auth',
    label: 'container registry login',
    severity: HIGH,
    title: 'Registry credential in a Docker config.json',
    remediation: `Change the registry password or token; use a credential helper or a build secret instead of config.json (${ROTATE}).`,
    // "auths": { "<registry>": { "auth": base64(user:password) } }
    regex: /"auth"\s*:\s*"([A-Za-z0-9+/]{6,}={0,2})"/g,
    secretGroup: 1,
    keywords: ['"auths"'],
    multiline: true,
    validate: ({ secret }) => isBasicAuthPair(secret),
  }),
  rule({
    name: 'jwt',
    label: 'JSON Web Token',
    severity: MEDIUM,
    title: 'JSON Web Token',
    remediation: `If the token is live, revoke it or rotate its signing key; never bake session or API tokens into an image (${ROTATE}).`,
    regex: /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)(?![A-Za-z0-9_.-])/g,
    secretGroup: 1,
    keywords: ['eyj'],
    validate: ({ secret }) => isJwtHeader(secret.slice(0, secret.indexOf('.'))),
  }),
  rule({
    name: 'generic-assignment',
    label: 'hard-coded secret',
    severity: MEDIUM,
    title: 'Hard-coded password or token',
    remediation: `Read the value from the environment or a mounted secret at run time; if it was ever real, ${ROTATE}.`,
    regex: ASSIGNMENT_REGEX,
    secretGroup: ASSIGNMENT_GROUPS,
    keywords: ASSIGNMENT_KEYWORDS,
    generic: true,
    validate: ({ secret, match, text }) => judgeAssignment(secret, match, text) !== 'reject',
    describe: ({ secret, match, text }) => {
      const name = assignedName(text, match.index, match[0]);
      return judgeAssignment(secret, match, text) === 'default'
        ? `well-known default password assigned to ${name}:`
        : `hard-coded value assigned to ${name}:`;
    },
  }),
];

/**
 * Paths not searched unless the user's allowlist says otherwise (picomatch, root-relative).
 * Kept short on purpose: secrets do end up in odd places. Each entry is a place where
 * key-shaped text is documentation or test data, not a deployment's secret.
 */
export const defaultAllowPaths: readonly string[] = [
  // Package documentation, man and info pages: examples, never configuration.
  'usr/share/doc/**',
  'usr/share/man/**',
  'usr/share/info/**',
  // Test suites inside third-party packages carry fixture keys and tokens on purpose
  // (TLS and SSH test keys). Only their test directories: a package's other files, and the
  // application's own tests, are still searched.
  '**/node_modules/**/{test,tests,__tests__,fixtures,__fixtures__}/**',
  '**/{site,dist}-packages/**/{test,tests}/**',
];

/** Bump when detect.ts, assignment.ts or validators.ts change what is found. */
const ENGINE_REVISION = 1;

/** Changes whenever a rule does (ids, patterns, checks), so cached layer results are redone. */
export const SECRET_RULES_VERSION: string = createHash('sha256')
  .update(
    JSON.stringify([
      ENGINE_REVISION,
      defaultAllowPaths,
      secretRules.map((r) => [r.id, r.severity, r.regex.source, r.regex.flags, r.keywords, r.literals, r.secretGroup, r.validate?.toString(), r.describe?.toString()]),
    ]),
  )
  .digest('hex')
  .slice(0, 12);
