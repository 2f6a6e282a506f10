/**
 * The secret rules one by one (a hit and a near miss each), then what findSecrets promises
 * around them: redaction, documented example keys at LOW, line numbers, one match per
 * (rule, line, value), overlaps between rules, placeholders, and bounded time on hostile text.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { findSecrets, redact, type SecretMatch } from '../../../src/check/secret/detect.js';
import { secretRules } from '../../../src/check/secret/rules.js';
import {
  armored,
  AWS_EXAMPLE_KEY_ID,
  AWS_EXAMPLE_SIGNING_KEY,
  awsKeyId,
  badChecksum,
  base64Chars,
  base64url,
  checksummedToken,
  jwt,
  opensshKey,
  pemKey,
  publicKeyPem,
  randomChars,
  randomSecret,
} from './fake-secrets.js';

const PK = 'PRIVATE' + ' KEY';

function ids(text: string): string[] {
  return findSecrets(text).map((m) => m.ruleId);
}

/** Exactly one match, of this rule; and the secret itself appears nowhere in the result. */
function expectOnly(text: string, ruleId: string, secret: string): SecretMatch {
  const found = findSecrets(text);
  assert.deepEqual(
    found.map((m) => m.ruleId),
    [ruleId],
    `expected only ${ruleId}`,
  );
  if (secret !== '') assert.ok(!JSON.stringify(found).includes(secret), 'the unredacted secret leaked into the result');
  return found[0]!;
}

function expectNone(text: string, ruleId?: string): void {
  const found = ids(text);
  if (ruleId === undefined) assert.deepEqual(found, []);
  else assert.ok(!found.includes(ruleId), `${ruleId} should not match: ${found.join(', ')}`);
}

describe('secret rules: a hit and a near miss each', () => {
  it('private-key: PKCS#1 RSA, SEC1 EC, PKCS#8, encrypted PKCS#8, OpenSSH, PGP', () => {
    const m = expectOnly(`# deploy key\n${pemKey('pkcs1')}`, 'secret/private-key', pemKey('pkcs1').split('\n')[1]!);
    assert.equal(m.severity, 'CRITICAL');
    assert.equal(m.line, 2);
    assert.match(m.message, /^RSA private key MII[A-Za-z0-9+/]\*{4} in this file$/);
    assert.match(expectOnly(pemKey('sec1'), 'secret/private-key', '').message, /^EC private key/);
    assert.match(expectOnly(pemKey('pkcs8'), 'secret/private-key', '').message, /^Private key \(PKCS#8\)/);
    assert.match(expectOnly(pemKey('encrypted'), 'secret/private-key', '').message, /^ENCRYPTED private key/);
    assert.match(expectOnly(opensshKey(), 'secret/private-key', '').message, /^OPENSSH private key b3Bl\*{4}/);
    assert.match(expectOnly(armored(`PGP ${PK} BLOCK`), 'secret/private-key', '').message, /^PGP private key/);
  });

  it('private-key: escaped newlines inside a JSON or env string', () => {
    const escaped = JSON.stringify(pemKey('pkcs8'));
    assert.deepEqual(ids(`KEY=${escaped}\n`), ['secret/private-key']);
  });

  it('private-key: not certificates, public keys, bare headers or elided bodies', () => {
    expectNone(armored('CERTIFICATE'));
    expectNone(publicKeyPem());
    expectNone(armored('RSA PUBLIC KEY'));
    expectNone(`if (pem.startsWith('-----BEGIN RSA ${PK}-----')) parse(pem);\n`);
    expectNone(`-----BEGIN ${PK}-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC...\n-----END ${PK}-----\n`);
    // BEGIN and END labels must agree
    expectNone(armored(`RSA ${PK}`).replace(`END RSA ${PK}`, `END EC ${PK}`));
  });

  it('aws-access-key: AKIA and ASIA ids; not other lengths or alphabets', () => {
    const id = awsKeyId();
    const m = expectOnly(`aws_access_key_id = ${id}\n`, 'secret/aws-access-key', id);
    assert.equal(m.severity, 'HIGH');
    assert.equal(m.match, 'AKIA****');
    expectOnly(`"AccessKeyId": "${awsKeyId('ASIA')}"`, 'secret/aws-access-key', '');
    expectNone(`id = ${id.slice(0, 19)}\n`);
    expectNone(`id = ${id}X\n`); // part of a longer word
    expectNone(`id = AKIA${'ABCDEFGH12345678'}\n`); // 1 and 8 are not base32
    expectNone('Timezone Asia/Tokyo ASIA PACIFIC REGION\n');
  });

  it('aws-secret-key: 40 base64 characters named as the secret key', () => {
    const secret = base64Chars(40);
    const m = expectOnly(`aws_secret_access_key = ${secret}\n`, 'secret/aws-secret-key', secret);
    assert.equal(m.severity, 'CRITICAL');
    expectOnly(`export AWS_SECRET_ACCESS_KEY="${base64Chars(40)}"\n`, 'secret/aws-secret-key', '');
    expectOnly(`"SecretAccessKey": "${base64Chars(40)}",\n`, 'secret/aws-secret-key', '');
    expectNone(`aws_secret_access_key = ${'x'.repeat(40)}\n`);
    expectNone(`checksum = ${secret}\n`); // no name, no shape of its own
    expectNone(`aws_secret_access_key = ${secret}Z\n`, 'secret/aws-secret-key'); // 41 characters
  });

  it('gcp-service-account: private_key of a service_account JSON (and not also private-key)', () => {
    const doc = { type: 'service_account', project_id: 'demo', private_key_id: randomChars(40, '0123456789abcdef'), private_key: pemKey('pkcs8'), client_email: 'svc@demo.iam.example' };
    const text = JSON.stringify(doc, null, 2);
    const m = expectOnly(text, 'secret/gcp-service-account', doc.private_key.split('\n')[1]!);
    assert.equal(m.severity, 'CRITICAL');
    assert.equal(m.line, 5);
    assert.match(m.message, /^GCP service account key MII/);
    // the same key in a JSON document that is not a service account key file
    assert.deepEqual(ids(JSON.stringify({ type: 'authorized_user', private_key: doc.private_key, note: 'service_account' })), ['secret/private-key']);
  });

  it('azure-storage-key: AccountKey of a connection string', () => {
    const key = randomBytes(64).toString('base64');
    const conn = `DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=${key};EndpointSuffix=core.windows.example`;
    assert.equal(expectOnly(`AZURE_STORAGE=${conn}\n`, 'secret/azure-storage-key', key).severity, 'CRITICAL');
    expectNone(`AccountKey=${key.slice(0, 40)};\n`);
    expectNone(`AccountKey=${'A'.repeat(86)}==;\n`);
  });

  it('azure-client-secret: the Q~ format', () => {
    const secret = randomChars(3) + '8Q~' + randomChars(34, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_~.-');
    // make sure the tail holds a letter and a digit, as real ones do
    const s = secret.slice(0, 6) + 'a1' + secret.slice(8);
    assert.equal(expectOnly(`client_id: x\nclient_credential: ${s}\n`, 'secret/azure-client-secret', s).line, 2);
    expectNone(`value: ${'abc'}XQ~${randomChars(34)}\n`); // no digit before Q~
    expectNone(`value: abc8Q~${'a'.repeat(34)}\n`);
  });

  it('github-pat: ghp_ with a valid CRC32, fine-grained github_pat_; wrong checksums are not tokens', () => {
    const token = checksummedToken('ghp');
    const m = expectOnly(`GITHUB_TOKEN=${token}\n`, 'secret/github-pat', token);
    assert.equal(m.severity, 'HIGH');
    assert.equal(m.match, 'ghp_****');
    assert.equal(m.message, 'GitHub personal access token ghp_**** in this file');
    expectNone(`GITHUB_TOKEN=${badChecksum(token)}\n`);
    const fine = 'github_pat_' + randomChars(22) + '_' + randomChars(59);
    expectOnly(`token: ${fine}\n`, 'secret/github-pat', fine);
    expectNone(`github_pat_${'a'.repeat(22)}_${'b'.repeat(59)}`);
  });

  it('github-oauth-token, github-app-token, github-refresh-token: checksummed gho_, ghu_/ghs_, ghr_', () => {
    for (const [prefix, id, label] of [
      ['gho', 'secret/github-oauth-token', 'GitHub OAuth access token'],
      ['ghu', 'secret/github-app-token', 'GitHub App user-to-server token'],
      ['ghs', 'secret/github-app-token', 'GitHub App installation token'],
      ['ghr', 'secret/github-refresh-token', 'GitHub refresh token'],
    ] as const) {
      const token = checksummedToken(prefix);
      assert.equal(expectOnly(`x ${token} y\n`, id, token).message, `${label} ${prefix}_**** in this file`);
      expectNone(`x ${badChecksum(token)} y\n`);
    }
  });

  it('gitlab-pat: glpat- tokens, not fill', () => {
    const token = 'glpat' + '-' + randomChars(20);
    expectOnly(`CI_TOKEN: ${token}\n`, 'secret/gitlab-pat', token);
    expectNone(`CI_TOKEN: glpat-${'x'.repeat(20)}\n`);
  });

  it('slack-token and slack-webhook', () => {
    const token = 'xox' + 'b-' + randomChars(11, '0123456789') + '-' + randomChars(12, '0123456789') + '-' + randomChars(24);
    expectOnly(`SLACK_BOT=${token}\n`, 'secret/slack-token', token);
    expectNone('see xoxb-token-here in the docs\n');
    const hook = 'https://hooks.' + 'slack.com/services/T' + randomChars(10, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') + '/B' + randomChars(10, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') + '/' + randomChars(24);
    const m = expectOnly(`webhook_url: ${hook}\n`, 'secret/slack-webhook', hook.slice(-24));
    assert.match(m.match, /^T[A-Z0-9]{3}\*{4}$/);
    expectNone('webhook_url: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n');
  });

  it('stripe-key: live secret and restricted keys, not test keys', () => {
    const sk = 'sk' + '_live_' + randomChars(24);
    assert.match(expectOnly(`stripe.key=${sk}\n`, 'secret/stripe-key', sk).message, /^Stripe live secret key sk_l\*{4}/);
    const rk = 'rk' + '_live_' + randomChars(24);
    assert.match(expectOnly(`STRIPE=${rk}\n`, 'secret/stripe-key', rk).message, /^Stripe live restricted key/);
    expectNone(`stripe.key=${'sk' + '_test_' + randomChars(24)}\n`);
  });

  it('npm-token: checksummed npm_ tokens (also inside .npmrc, reported once)', () => {
    const token = checksummedToken('npm');
    expectOnly(`NPM=${token}\n`, 'secret/npm-token', token);
    expectOnly(`//registry.example.test/:_authToken=${token}\n`, 'secret/npm-token', token);
    expectNone(`NPM=${badChecksum(token)}\n`);
  });

  it('npmrc-auth: _authToken, _auth and _password values; not ${VAR} references', () => {
    const value = randomChars(32);
    expectOnly(`registry=https://registry.example.test/\n//registry.example.test/:_authToken=${value}\n`, 'secret/npmrc-auth', value);
    const auth = Buffer.from(`ci:${randomChars(16)}`).toString('base64');
    expectOnly(`_auth = ${auth}\nalways-auth=true\n`, 'secret/npmrc-auth', auth);
    expectNone('//registry.example.test/:_authToken=${NPM_TOKEN}\n');
    expectNone('//registry.example.test/:_authToken=MYTOKEN1\n'); // the npmrc docs' placeholder
  });

  it('pypi-token: macaroons for pypi.org and test.pypi.org', () => {
    const token = 'pypi-' + 'AgEIcHlwaS5vcmc' + randomChars(70, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    expectOnly(`password = ${token}\n`, 'secret/pypi-token', token);
    const test = 'pypi-' + 'AgENdGVzdC5weXBpLm9yZw' + randomChars(70);
    expectOnly(`[testpypi]\npassword: ${test}\n`, 'secret/pypi-token', test);
    expectNone(`password = pypi-${'AgEIcHlwaS5vcmc'}\n`, 'secret/pypi-token');
  });

  it('docker-config-auth: "auth" entries under "auths" that decode to user:password', () => {
    const auth = Buffer.from(`robot:${randomChars(20)}`).toString('base64');
    const cfg = JSON.stringify({ auths: { 'registry.example.test': { auth } } }, null, 2);
    const m = expectOnly(cfg, 'secret/docker-config-auth', auth);
    assert.equal(m.line, 4);
    assert.equal(m.severity, 'HIGH');
    expectNone(JSON.stringify({ auths: { 'registry.example.test': { auth: Buffer.from('no-password-here').toString('base64') } } }));
    expectNone(JSON.stringify({ auths: { 'registry.example.test': { auth: Buffer.from('robot:').toString('base64') } } }));
    expectNone(JSON.stringify({ credsStore: 'desktop', auth }), 'secret/docker-config-auth'); // no "auths" document
  });

  it('jwt: three segments whose header names an alg', () => {
    const token = jwt();
    const m = expectOnly(`Authorization: Bearer ${token}\n`, 'secret/jwt', token);
    assert.equal(m.severity, 'MEDIUM');
    assert.equal(m.match, 'eyJh****');
    expectNone(`x = ${jwt({ typ: 'JWT' })}\n`);
    expectNone(`x = eyJ${base64url('not json at all')}.eyJ${randomChars(20)}.${randomChars(20)}\n`);
  });

  it('generic-assignment: the usual syntaxes, MEDIUM, named in the message', () => {
    const value = randomSecret(9) + '#' + randomChars(5); // under 16 characters: shown as **** only
    for (const line of [
      `DB_PASSWORD=${value}`,
      `export DB_PASSWORD="${value}"`,
      `db_password: '${value}'`,
      `"db_password": "${value}",`,
      `$db_password = '${value}';`,
      `:db_password => "${value}"`,
      `spring.datasource.db_password=${value}`,
      `<Resource db_password="${value}" />`,
      `config["db_password"] = "${value}"`,
    ]) {
      const m = expectOnly(`# settings\n${line}\n`, 'secret/generic-assignment', value);
      assert.equal(m.severity, 'MEDIUM', line);
      assert.equal(m.line, 2, line);
      assert.equal(m.match, '****', line);
      assert.match(m.message, /^Hard-coded value assigned to (?:spring\.datasource\.)?db_password: \*{4} in this file$/i, line);
    }
    const key = randomSecret(32);
    assert.equal(expectOnly(`const client = new Api({ apiKey: "${key}" });\n`, 'secret/generic-assignment', key).match, `${key.slice(0, 4)}****`);
    expectOnly(`SECRET_KEY = '${randomSecret(40)}'\n`, 'secret/generic-assignment', '');
    expectOnly(`SECRET_KEY_BASE: ${randomSecret(64)}\n`, 'secret/generic-assignment', '');
    expectOnly(`--api-key=${randomSecret(24)}\n`, 'secret/generic-assignment', '');
    expectOnly(`access_token: ${randomSecret(30)}\n`, 'secret/generic-assignment', '');
  });

  it('generic-assignment: well-known defaults such as changeme are reported', () => {
    const m = findSecrets('admin_password = changeme\n');
    assert.equal(m.length, 1);
    assert.equal(m[0]!.ruleId, 'secret/generic-assignment');
    assert.match(m[0]!.message, /^Well-known default password assigned to admin_password/);
    assert.equal(findSecrets('keystorePassword="change' + 'it"').length, 1);
  });
});

describe('generic-assignment: placeholders, references and code are not secrets', () => {
  const rejected = [
    '${DB_PASSWORD}',
    '$DB_PASSWORD',
    '"${DB_PASSWORD:-default}"',
    '${DB_PASSWORD:-default}',
    '${DB_PASSWORD:=}',
    '"$(cat /run/secrets/db)"',
    '<password>',
    '"<your-password-here>"',
    'xxxxxxxx',
    '"xxxx-xxxx-xxxx"',
    '********',
    '"********"',
    '""',
    "''",
    'null',
    'None',
    'true',
    'FALSE',
    'undefined',
    'get_password()',
    'getpass.getpass(prompt)',
    'os.environ["DB_PASSWORD"]',
    'process.env.DB_PASSWORD',
    'self.password',
    'options.secret',
    'tokens[0]',
    '"{{ .Values.password }}"',
    '"%(password)s"',
    '"%s"',
    '"DB_PASSWORD"',
    '"your_password"',
    '"example-password-123"',
    '"dummy_secret"',
    'string',
    '"Enter the password:"',
    '"s00pers3cret"',
    '"rapunz3l"',
    '"hunter2"', // too short to judge
    '"tomcat"',
    '"/run/secrets/db_password"',
    '"https://vault.example.test/v1/db"',
    `'${Buffer.from('not my real password').toString('base64')}'`, // a placeholder in base64
    "'i-am-the-worst'", // a name, not a key
    'my-app-signing-key',
  ];
  for (const v of rejected) {
    it(`password = ${v}`, () => {
      expectNone(`password = ${v}\n`);
      expectNone(`  db_password: ${v}\n`);
    });
  }

  it('the read-only token of a README badge image URL', () => {
    expectNone(`[![codecov](https://codecov.example/gh/o/r/graph/badge.svg?token=${randomSecret(10)})](https://codecov.example/gh/o/r)\n`);
    // the same query parameter on an API URL is a secret
    assert.deepEqual(ids(`curl https://api.example.test/v1/items?token=${randomSecret(20)}\n`), ['secret/generic-assignment']);
  });

  it('the default of a shell expansion is judged like any value', () => {
    assert.deepEqual(ids(`url=\${DB_PASSWORD:-${randomSecret(16)}}\n`), ['secret/generic-assignment']);
    expectNone('cmd --password=${DB_PASSWORD:-changeme_later}\n');
  });

  it('code that compares, annotates or only names a secret', () => {
    expectNone('if password == expected_password:\n');
    expectNone('if (token === lastToken) return;\n');
    expectNone('  password: string;\n');
    expectNone('  token?: string;\n');
    expectNone('def login(user, password=None, token=None):\n');
    expectNone('tokenizer = Tokenizer(source)\n');
    expectNone('passwordless: true\n');
    expectNone('token_type = "bearer"\n');
    expectNone('    password = password\n');
  });
});

describe('findSecrets', () => {
  it('redact: first 4 characters then ****; under 16 characters **** only', () => {
    assert.equal(redact('abcdefghijklmnop'), 'abcd****');
    assert.equal(redact('abcdefghijklmno'), '****');
    assert.equal(redact('ab'), '****');
    assert.equal(redact(''), '****');
  });

  it("reports AWS's documented example pair LOW, saying so, instead of dropping it", () => {
    const text = `[default]\naws_access_key_id = ${AWS_EXAMPLE_KEY_ID}\naws_secret_access_key = ${AWS_EXAMPLE_SIGNING_KEY}\nregion = us-east-1\n`;
    const found = findSecrets(text);
    assert.deepEqual(
      found.map((m) => [m.ruleId, m.line, m.severity, m.match]),
      [
        ['secret/aws-access-key', 2, 'LOW', 'AKIA****'],
        ['secret/aws-secret-key', 3, 'LOW', 'wJal****'],
      ],
    );
    for (const m of found) assert.match(m.message, /is AWS's documented example key, not a live credential$/);
    assert.ok(!JSON.stringify(found).includes(AWS_EXAMPLE_SIGNING_KEY));
    // any key id of the example form, not just the one pair
    assert.equal(findSecrets(`id=AKIA${'QWERTYUI2'}EXAMPLE`)[0]?.severity, 'LOW');
    // a real-looking pair keeps its severities
    assert.deepEqual(
      findSecrets(`aws_access_key_id = ${awsKeyId()}\naws_secret_access_key = ${base64Chars(40)}\n`).map((m) => m.severity),
      ['HIGH', 'CRITICAL'],
    );
  });

  it('reports the OAuth RFC and jwt.io sample values LOW, saying where they come from', () => {
    const rfc = findSecrets('    "access_token":"' + '2YotnFZFEjr1' + 'zCsicMWpAA",\n');
    assert.deepEqual(
      rfc.map((m) => [m.ruleId, m.severity]),
      [['secret/generic-assignment', 'LOW']],
    );
    assert.match(rfc[0]!.message, /is the example value from RFC 6749, not a live credential$/);
    const sample = ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.');
    const jwtIo = findSecrets(`Authorization: Bearer ${sample}\n`);
    assert.deepEqual(
      jwtIo.map((m) => [m.ruleId, m.severity]),
      [['secret/jwt', 'LOW']],
    );
    assert.match(jwtIo[0]!.message, /jwt\.io/);
  });

  it('line numbers: 1-based, LF and CRLF, a secret at the very start and end of the text', () => {
    const t = checksummedToken('ghp');
    assert.equal(findSecrets(t)[0]?.line, 1);
    assert.equal(findSecrets(`a\nb\nc\n${t}`)[0]?.line, 4);
    assert.equal(findSecrets(`a\r\nb\r\nTOKEN=${t}\r\nd\r\n`)[0]?.line, 3);
    const many = findSecrets(['x', t, 'y', 'z', t.replace('ghp', 'gho'), `w ${checksummedToken('ghs')}`].join('\n'));
    assert.deepEqual(
      many.map((m) => m.line),
      [2, 5, 6], // the gho_ token keeps a valid checksum: it covers only the random part
    );
  });

  it('one match per (rule, line, value)', () => {
    const t = checksummedToken('ghp');
    assert.equal(findSecrets(`${t} ${t} "${t}"\n`).length, 1);
    assert.equal(findSecrets(`${t}\n${t}\n`).length, 2);
    assert.equal(findSecrets(`${t} ${checksummedToken('ghp')}\n`).length, 2);
  });

  it('a specific rule wins over the generic one on the same value', () => {
    assert.deepEqual(ids(`GITHUB_TOKEN=${checksummedToken('ghp')}\n`), ['secret/github-pat']);
    assert.deepEqual(ids(`api_key = "${'sk' + '_live_' + randomChars(30)}"\n`), ['secret/stripe-key']);
    assert.deepEqual(ids(`SECRET_ACCESS_KEY=${base64Chars(40)}\n`), ['secret/aws-secret-key']);
  });

  it('finds a secret deep inside a large file, keyword and value on one long line', () => {
    const filler = 'lorem ipsum dolor sit amet, consectetur adipiscing elit\n'.repeat(20000);
    const t = checksummedToken('ghp');
    const found = findSecrets(`${filler}const cfg = {${'a:1,'.repeat(5000)} token: "${t}"};\n${filler}`);
    assert.deepEqual(
      found.map((m) => [m.ruleId, m.line]),
      [['secret/github-pat', 20001]],
    );
  });

  it('keywords match case-insensitively where the names vary in case', () => {
    const v = randomSecret(12) + '!' + randomChars(4);
    for (const k of ['PASSWORD', 'Password', 'passWord', 'DbPassword', 'API_KEY', 'ApiKey', 'x-api-key', 'ClientSecret', 'AUTH_TOKEN']) {
      assert.deepEqual(ids(`${k}=${v}\n`), ['secret/generic-assignment'], k);
    }
  });

  it('disabled rules are skipped, others still run', () => {
    const text = `${checksummedToken('ghp')}\n${pemKey('pkcs1')}`;
    assert.deepEqual(ids(text), ['secret/github-pat', 'secret/private-key']);
    assert.deepEqual(
      findSecrets(text, { disabled: new Set(['secret/private-key']) }).map((m) => m.ruleId),
      ['secret/github-pat'],
    );
  });

  it('a custom rule table, and a custom "where" in messages', () => {
    const only = secretRules.filter((r) => r.id === 'secret/jwt');
    const text = `${checksummedToken('ghp')} ${jwt()}`;
    assert.deepEqual(
      findSecrets(text, { rules: only }).map((m) => m.ruleId),
      ['secret/jwt'],
    );
    assert.match(findSecrets(text, { rules: only, where: 'in config.Env[2]' })[0]!.message, / in config\.Env\[2\]$/);
  });

  it('text without any keyword yields nothing', () => {
    assert.deepEqual(findSecrets(''), []);
    assert.deepEqual(findSecrets('#!/bin/sh\nset -e\nexec "$@"\n'), []);
  });

  it('stays fast on hostile text (no catastrophic backtracking)', () => {
    const b64 = randomBytes(1_500_000).toString('base64');
    const cases = [
      `-----BEGIN RSA ${PK}-----\n${b64}`, // never ends
      `password=${'a'.repeat(1_000_000)}`,
      `${'token='.repeat(200_000)}`,
      `${'"auth": "'.repeat(100_000)} "auths"`,
      `${'eyJ'.repeat(300_000)}.eyJ`,
      `AccountKey=${'A'.repeat(1_000_000)}`,
      `${'secret_access_key:'.repeat(50_000)}`,
      `x${'Q~'.repeat(500_000)}`,
      `${';//a.b/c'.repeat(200_000)} _auth`,
      `${'-----BEGIN EC ' + PK + '-----\n'.repeat(1)}${('A'.repeat(70) + '\n').repeat(20_000)}-----BEGIN EC ${PK}-----`.repeat(3),
    ];
    for (const text of cases) {
      const t = process.hrtime.bigint();
      findSecrets(text);
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      assert.ok(ms < 2000, `${ms.toFixed(0)} ms on ${JSON.stringify(text.slice(0, 30))}...`);
    }
  });
});
