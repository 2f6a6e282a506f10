import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  TokenCache,
  parseWwwAuthenticate,
  pickChallenge,
  redactSecrets,
  resolveCredentials,
} from '../../src/registry/auth.js';
import { CavasError } from '../../src/util/errors.js';
import { isolatedEnv, tempDir } from './helpers.js';

describe('parseWwwAuthenticate', () => {
  const CASES: Array<[string, Array<{ scheme: string; params: Record<string, string> }>]> = [
    [
      'Bearer realm="https://auth.test/token",service="registry.test",scope="repository:library/alpine:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.test/token', service: 'registry.test', scope: 'repository:library/alpine:pull' } }],
    ],
    // A comma inside quotes belongs to the value; scheme and names are case-insensitive.
    [
      'bearer Realm="http://127.0.0.1:1/t", Scope="repository:a/b:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'http://127.0.0.1:1/t', scope: 'repository:a/b:pull,push' } }],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['Basic realm=simple', [{ scheme: 'basic', params: { realm: 'simple' } }]],
    ['Basic', [{ scheme: 'basic', params: {} }]],
    [
      'Basic realm="a", Bearer realm="https://t.test/",service=s',
      [
        { scheme: 'basic', params: { realm: 'a' } },
        { scheme: 'bearer', params: { realm: 'https://t.test/', service: 's' } },
      ],
    ],
    ['Bearer realm="with \\"escaped\\" quote"', [{ scheme: 'bearer', params: { realm: 'with "escaped" quote' } }]],
    ['Bearer realm = "spaced" , service = "x"', [{ scheme: 'bearer', params: { realm: 'spaced', service: 'x' } }]],
    ['', []],
    [' , ,', []],
    ['Bearer realm=', [{ scheme: 'bearer', params: { realm: '' } }]],
  ];
  for (const [header, expected] of CASES) {
    it(JSON.stringify(header), () => assert.deepEqual(parseWwwAuthenticate(header), expected));
  }

  it('pickChallenge prefers Bearer over Basic', () => {
    assert.equal(pickChallenge(parseWwwAuthenticate('Basic realm="a", Bearer realm="b"'))?.scheme, 'bearer');
    assert.equal(pickChallenge(parseWwwAuthenticate('Basic realm="a"'))?.scheme, 'basic');
    assert.equal(pickChallenge(parseWwwAuthenticate('Negotiate abc')), undefined);
  });
});

describe('TokenCache', () => {
  it('keeps a token until shortly before expires_in, per scope', () => {
    const cache = new TokenCache();
    const challenge = { scheme: 'bearer', params: { realm: 'r', service: 's' } };
    const a = TokenCache.key('reg', challenge, 'repository:a:pull');
    const b = TokenCache.key('reg', challenge, 'repository:b:pull');
    cache.set(a, 'tok', 300, 1_000_000);
    assert.equal(cache.get(a, 1_000_000 + 200_000), 'tok');
    assert.equal(cache.get(b, 1_000_000), undefined);
    assert.equal(cache.get(a, 1_000_000 + 300_000), undefined);
  });
});

describe('redactSecrets', () => {
  it('removes the password and the base64 user:password pair', () => {
    const creds = { username: 'u', password: 'hunter2' };
    const b64 = Buffer.from('u:hunter2').toString('base64');
    assert.equal(redactSecrets(`x hunter2 y ${b64} z`, creds), 'x *** y *** z');
  });
});

describe('resolveCredentials', () => {
  const tmp = tempDir('auth');
  after(() => tmp.cleanup());
  let n = 0;
  /** A fresh DOCKER_CONFIG dir holding `config`. */
  const configDir = (config: unknown): string => {
    const dir = path.join(tmp.dir, `cfg${n++}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    return dir;
  };
  const b64 = (s: string): string => Buffer.from(s).toString('base64');

  it('explicit credentials win over the environment and the config', async () => {
    const dir = configDir({ auths: { 'localhost:5000': { auth: b64('cfg:cfgpw') } } });
    const env = isolatedEnv(dir, { CAVAS_USERNAME: 'envu', CAVAS_PASSWORD: 'envpw' });
    const c = await resolveCredentials('localhost:5000', { explicit: { username: 'me', password: 'pw' }, env });
    assert.equal(c?.username, 'me');
    assert.equal(c?.source, '--username/--password-stdin');
    const e = await resolveCredentials('localhost:5000', { env });
    assert.deepEqual([e?.username, e?.password, e?.source], ['envu', 'envpw', 'CAVAS_USERNAME/CAVAS_PASSWORD']);
  });

  it('only one of CAVAS_USERNAME / CAVAS_PASSWORD is a usage error', async () => {
    const env = isolatedEnv(configDir({}), { CAVAS_USERNAME: 'u' });
    await assert.rejects(resolveCredentials('r.test', { env }), (e: unknown) => e instanceof CavasError && e.code === 'USAGE');
  });

  it('auths: base64 auth, username/password fields, keys written as URLs', async () => {
    const dir = configDir({
      auths: {
        'localhost:5000': { auth: b64('alice:pa:ss') },
        'https://registry.test/v2/': { username: 'bob', password: 'bobpw' },
      },
    });
    const env = isolatedEnv(dir);
    const a = await resolveCredentials('localhost:5000', { env });
    assert.deepEqual([a?.username, a?.password], ['alice', 'pa:ss']);
    assert.match(a?.source ?? '', /config\.json \(auths "localhost:5000"\)/);
    const b = await resolveCredentials('registry.test', { env });
    assert.deepEqual([b?.username, b?.password], ['bob', 'bobpw']);
    assert.equal(await resolveCredentials('other.test', { env }), undefined);
  });

  it('Docker Hub credentials are found under https://index.docker.io/v1/', async () => {
    const env = isolatedEnv(configDir({ auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:hubpw') } } }));
    const c = await resolveCredentials('docker.io', { env });
    assert.deepEqual([c?.username, c?.password], ['hubuser', 'hubpw']);
  });

  it('~/.docker/config.json is read when DOCKER_CONFIG is not set', async () => {
    const home = path.join(tmp.dir, 'home');
    mkdirSync(path.join(home, '.docker'), { recursive: true });
    writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'r.test': { auth: b64('h:hpw') } } }));
    const c = await resolveCredentials('r.test', { env: { PATH: process.env.PATH }, homeDir: home });
    assert.equal(c?.username, 'h');
  });

  it('an identity token in auths is kept as one', async () => {
    const env = isolatedEnv(configDir({ auths: { 'r.test': { identitytoken: 'refresh-me' } } }));
    const c = await resolveCredentials('r.test', { env });
    assert.equal(c?.identityToken, 'refresh-me');
  });

  it('a config file that is not JSON is ignored with a log line that does not quote it', async () => {
    const lines: string[] = [];
    const env = isolatedEnv(configDir('{"auths": {"r.test": {"auth": "c2VjcmV0LXB3"}'));
    assert.equal(await resolveCredentials('r.test', { env, log: (m) => lines.push(m) }), undefined);
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /not a valid docker config file/);
    assert.ok(!lines[0]?.includes('c2VjcmV0'));
  });

  describe('credential helpers', () => {
    const bin = path.join(tmp.dir, 'bin');
    mkdirSync(bin);
    const stdinLog = path.join(tmp.dir, 'helper-stdin.log');
    // Answers for one server URL only, and records what it was asked on stdin.
    writeFileSync(
      path.join(bin, 'docker-credential-test'),
      `#!/bin/sh
[ "$1" = get ] || exit 2
read -r server
printf '%s\\n' "$server" >> '${stdinLog}'
case "$server" in
  localhost:5000) printf '{"ServerURL":"%s","Username":"helperuser","Secret":"helper-secret"}' "$server" ;;
  https://index.docker.io/v1/) printf '{"Username":"<token>","Secret":"hub-refresh-token"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
    );
    writeFileSync(path.join(bin, 'docker-credential-garbage'), '#!/bin/sh\necho not json\n');
    chmodSync(path.join(bin, 'docker-credential-test'), 0o755);
    chmodSync(path.join(bin, 'docker-credential-garbage'), 0o755);
    const envWith = (dir: string): NodeJS.ProcessEnv => isolatedEnv(dir, { PATH: `${bin}:${process.env.PATH ?? ''}` });

    it('credHelpers[registry] runs docker-credential-<name> get with the server URL on stdin', async () => {
      const dir = configDir({ credHelpers: { 'localhost:5000': 'test' }, auths: { 'localhost:5000': { auth: b64('file:filepw') } } });
      const c = await resolveCredentials('localhost:5000', { env: envWith(dir) });
      assert.deepEqual([c?.username, c?.password, c?.source], ['helperuser', 'helper-secret', 'credential helper docker-credential-test']);
      assert.ok(readFileSync(stdinLog, 'utf8').split('\n').includes('localhost:5000'));
    });

    it('credsStore is used for registries without a credHelpers entry; <token> means identity token', async () => {
      const dir = configDir({ credsStore: 'test' });
      const c = await resolveCredentials('docker.io', { env: envWith(dir) });
      assert.equal(c?.identityToken, 'hub-refresh-token');
      assert.ok(readFileSync(stdinLog, 'utf8').includes('https://index.docker.io/v1/'));
    });

    it('a helper without an entry falls through to auths', async () => {
      const dir = configDir({ credsStore: 'test', auths: { 'r.test': { auth: b64('file:filepw') } } });
      const lines: string[] = [];
      const c = await resolveCredentials('r.test', { env: envWith(dir), log: (m) => lines.push(m) });
      assert.equal(c?.username, 'file');
      assert.ok(lines.some((l) => l.includes('has no credentials for r.test (exit code 1)')), lines.join('|'));
    });

    it('a missing helper binary means no credentials, with a debug line', async () => {
      const dir = configDir({ credHelpers: { 'r.test': 'absent' } });
      const lines: string[] = [];
      assert.equal(await resolveCredentials('r.test', { env: envWith(dir), log: (m) => lines.push(m) }), undefined);
      assert.deepEqual(lines, ['credential helper docker-credential-absent not found on PATH; continuing without its credentials']);
    });

    it('helper output that is not JSON is ignored; a helper name with a path is refused', async () => {
      const lines: string[] = [];
      const log = (m: string): number => lines.push(m);
      assert.equal(await resolveCredentials('r.test', { env: envWith(configDir({ credsStore: 'garbage' })), log }), undefined);
      assert.equal(await resolveCredentials('r.test', { env: envWith(configDir({ credsStore: '../../bin/sh' })), log }), undefined);
      assert.match(lines[0] ?? '', /not \{Username, Secret\} JSON/);
      assert.match(lines[1] ?? '', /is not valid/);
    });
  });
});
