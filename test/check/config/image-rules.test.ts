/** Image config and history rules on hand-made configs (the corpus images are covered end to end). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageCheckContext } from '../../../src/check/config/context.js';
import { addRemoteUrl, buildArgs, latestBase, noHealthcheck, rootUser, secretInEnv, secretInHistory, sensitivePort } from '../../../src/check/config/image-rules.js';
import { ImageFilesystem } from '../../../src/image/filesystem.js';
import type { HistoryEntry, ImageConfig, ImageMeta } from '../../../src/types.js';

function ctx(config: ImageConfig, history: HistoryEntry[] = []): ImageCheckContext {
  const image: ImageMeta = { ref: 't', transport: 'test', tags: [], configDigest: '', platform: { os: 'linux', architecture: 'amd64' }, layers: [], config, history };
  return { image, fs: ImageFilesystem.merge([]), inventory: { packages: [] }, owners: new Map() };
}
const run = (hist: string[]): HistoryEntry[] => hist.map((createdBy) => ({ createdBy, emptyLayer: false }));

describe('config/root-user', () => {
  for (const user of [undefined, '', 'root', '0', '0:0', 'root:staff']) {
    it(`flags User ${JSON.stringify(user)}`, () => assert.equal(rootUser.check(ctx(user === undefined ? {} : { User: user })).length, 1));
  }
  for (const user of ['65532', 'nonroot', 'app:app', '1000:0']) {
    it(`accepts User ${user}`, () => assert.deepEqual(rootUser.check(ctx({ User: user })), []));
  }
});

describe('config/no-healthcheck', () => {
  it('flags a missing healthcheck and accepts a defined one', () => {
    assert.equal(noHealthcheck.check(ctx({})).length, 1);
    assert.deepEqual(noHealthcheck.check(ctx({ Healthcheck: { Test: ['CMD', 'curl', '-f', 'http://localhost/'] } })), []);
    assert.deepEqual(noHealthcheck.check(ctx({ Healthcheck: { Test: ['NONE'] } })), [], 'NONE is an explicit decision');
  });
});

describe('config/secret-in-env', () => {
  it('flags secret-named variables with literal values, redacted', () => {
    const hits = secretInEnv.check(ctx({ Env: ['PATH=/usr/bin', 'NODE_ENV=production', 'DB_PASSWORD=supersecret', 'API_KEY=abcd1234efgh', 'PASSWORD_FILE=/run/secrets/pw', 'TOKEN=${TOKEN}', 'GITHUB_TOKEN='] }));
    assert.deepEqual(hits.map((h) => h.field), ['config.Env[2]', 'config.Env[3]']);
    assert.match(hits[0]!.message, /DB_PASSWORD .*supe\*\*\*\*/);
    assert.ok(!JSON.stringify(hits).includes('supersecret'));
  });
  it('flags secret-named labels', () => {
    assert.equal(secretInEnv.check(ctx({ Labels: { 'deploy.token': 'xyz123456', maintainer: 'me' } })).length, 1);
  });
});

describe('config/secret-in-arg (build args in history)', () => {
  it('parses BuildKit build-arg prefixes', () => {
    assert.deepEqual(buildArgs('RUN |2 NPM_TOKEN=npm_abc VERSION=1.2 /bin/sh -c npm ci'), [
      { name: 'NPM_TOKEN', value: 'npm_abc' },
      { name: 'VERSION', value: '1.2' },
    ]);
    assert.deepEqual(buildArgs('RUN /bin/sh -c echo |2 A=b'), []);
  });
  it('flags secret build args only', () => {
    const hits = secretInHistory.check(ctx({}, run(['RUN |2 NPM_TOKEN=npm_abcdef VERSION=1.2 /bin/sh -c npm ci', 'RUN |1 VERSION=3 /bin/sh -c make'])));
    assert.equal(hits.length, 1);
    assert.equal(hits[0]!.field, 'history[0]');
    assert.ok(!hits[0]!.message.includes('npm_abcdef'));
  });
});

describe('config/add-remote-url', () => {
  it('flags ADD from a URL without a checksum', () => {
    const hist = run(['ADD https://example.test/tool.tgz /opt/ # buildkit', 'ADD --checksum=sha256:00 https://example.test/a /a # buildkit', 'ADD file:abc in / ', 'COPY . /app # buildkit']);
    const hits = addRemoteUrl.check(ctx({}, hist));
    assert.deepEqual(hits.map((h) => h.field), ['history[0]']);
  });
});

describe('config/sensitive-port', () => {
  it('flags remote-admin ports only', () => {
    const hits = sensitivePort.check(ctx({ ExposedPorts: { '22/tcp': {}, '8080/tcp': {}, '3389/tcp': {}, '443/tcp': {} } }));
    assert.deepEqual(hits.map((h) => h.message), ['Port 22/tcp (SSH) is exposed', 'Port 3389/tcp (RDP) is exposed']);
  });
});

describe('config/latest-base', () => {
  it('flags an unpinned base name label', () => {
    assert.equal(latestBase.check(ctx({ Labels: { 'org.opencontainers.image.base.name': 'registry.test/library/debian:latest' } })).length, 1);
    assert.equal(latestBase.check(ctx({ Labels: { 'org.opencontainers.image.base.name': 'debian' } })).length, 1);
    assert.deepEqual(latestBase.check(ctx({ Labels: { 'org.opencontainers.image.base.name': 'debian:12.5' } })), []);
    assert.deepEqual(latestBase.check(ctx({ Labels: { 'org.opencontainers.image.base.name': 'localhost:5000/debian' + '@sha256:' + 'a'.repeat(64) } })), []);
  });
});
