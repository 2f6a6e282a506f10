/**
 * `cavas scan host:port/repo:tag` against real registries (distribution 2.8 started by the
 * harness): the result must equal scanning the same image from its archive file, through
 * basic and token auth, TLS, multi-arch indexes, faults and the layer cache.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ScanResult } from '../../src/types.js';
import { IMAGES, corpusCache } from '../e2e/cli.js';
import { cavasAsync, essence, freshCache, parseScan, type TimedRun } from './cli.js';
import {
  corruptBlob,
  getManifest,
  pushImage,
  startBlackhole,
  startFaultProxy,
  startRegistry,
  unreachableHost,
  type Registry,
} from './harness.js';

const ALPINE_ARCHIVE = join(IMAGES, 'alpine-3.16.9.docker.tar.gz');
const APP_ARCHIVE = join(IMAGES, 'debian-app.docker.tar.gz');
const DISTROLESS_ARCHIVE = join(IMAGES, 'debian-distroless.oci.tar');
const MULTIARCH_ARCHIVE = join(IMAGES, 'alpine-3.16.9-multiarch.oci.tar');
const ALPINE_AMD64_CONFIG = 'sha256:b181b7b749012ef52b26ec8aecd02a98a629b1548833a215863d02e0eb1a4278';
const ALPINE_ARM64_CONFIG_PREFIX = 'sha256:b2f8f19b';

let template: { dir: string; cleanup: () => void };
const caches: string[] = [];
const registries: Registry[] = [];
const baselines = new Map<string, Promise<ScanResult>>();

function cache(): string {
  const dir = freshCache(template.dir);
  caches.push(dir);
  return dir;
}

async function registry(opts: Parameters<typeof startRegistry>[0] = {}): Promise<Registry> {
  const r = await startRegistry(opts);
  registries.push(r);
  return r;
}

/** `cavas scan TARGET --format json` with a cache that has the DB and no layers. */
function scan(target: string, extra: string[] = [], opts: Parameters<typeof cavasAsync>[1] = {}, cacheDir = cache()): Promise<TimedRun> {
  return cavasAsync(['--cache-dir', cacheDir, 'scan', target, '--format', 'json', ...extra], opts);
}

/** The same image scanned from its archive file, once per test process. */
function baseline(archive: string): Promise<ScanResult> {
  let p = baselines.get(archive);
  if (!p) {
    p = scan(archive).then((r) => parseScan(r, archive));
    baselines.set(archive, p);
  }
  return p;
}

/** A failed run: exit 2 and exactly one `cavas: error:` line on stderr. */
function assertOneLineError(r: TimedRun): string {
  assert.equal(r.status, 2, `exit status; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] ?? '', /^cavas: error: /);
  assert.equal(r.stdout, '', 'nothing on stdout');
  return lines[0] ?? '';
}

before(() => {
  template = corpusCache();
});

after(async () => {
  for (const r of registries) await r.stop();
  for (const d of caches) rmSync(d, { recursive: true, force: true });
  template.cleanup();
});

describe('plain registry', () => {
  let reg: Registry;
  const pushed = new Map<string, string>();

  before(async () => {
    reg = await registry();
    pushed.set('alpine', await pushImage(reg, `docker-archive:${ALPINE_ARCHIVE}`, 'alpine:3.16.9'));
    pushed.set('app', await pushImage(reg, `docker-archive:${APP_ARCHIVE}`, 'debian-app:bookworm'));
    pushed.set('distroless', await pushImage(reg, `oci-archive:${DISTROLESS_ARCHIVE}`, 'distroless:bookworm'));
    pushed.set('multi', await pushImage(reg, `oci-archive:${MULTIARCH_ARCHIVE}`, 'alpine-multi:3.16.9', { all: true }));
  });

  for (const [name, repo, archive] of [
    ['alpine', 'alpine:3.16.9', ALPINE_ARCHIVE],
    ['app', 'debian-app:bookworm', APP_ARCHIVE],
    ['distroless', 'distroless:bookworm', DISTROLESS_ARCHIVE],
  ] as const) {
    it(`${repo}: same findings and packages as the archive file; layers come from the registry`, async () => {
      const ref = `${reg.host}/${repo}`;
      const before = reg.blobGets();
      const result = parseScan(await scan(ref), ref);
      const expected = await baseline(archive);
      assert.ok(expected.findings.length > 0 || name === 'distroless', 'the baseline has findings');
      assert.deepEqual(essence(result), essence(expected));

      const [repoName, tag] = repo.split(':') as [string, string];
      const manifest = await getManifest(reg, repoName, tag);
      assert.equal(result.image.manifestDigest, pushed.get(name));
      assert.equal(result.image.configDigest, manifest.config?.digest);
      assert.deepEqual(
        result.image.layers.map((l) => l.digest),
        manifest.layers?.map((l) => l.digest),
      );
      await reg.settle();
      assert.ok(reg.blobGets() - before >= (manifest.layers?.length ?? 0), 'every layer was fetched from the registry');
    });
  }

  it('multi-arch index: --platform linux/arm64 picks the arm64 image, the default the host platform', async () => {
    const ref = `${reg.host}/alpine-multi:3.16.9`;
    const arm = parseScan(await scan(ref, ['--platform', 'linux/arm64']), `${ref} arm64`);
    assert.equal(arm.image.platform.architecture, 'arm64');
    assert.ok(arm.image.configDigest.startsWith(ALPINE_ARM64_CONFIG_PREFIX), arm.image.configDigest);
    assert.ok(arm.inventory.packages.length > 0 && arm.inventory.packages.every((p) => p.arch === 'aarch64'));

    const amd = parseScan(await scan(ref, ['--platform', 'linux/amd64']), `${ref} amd64`);
    assert.equal(amd.image.platform.architecture, 'amd64');
    assert.equal(amd.image.configDigest, ALPINE_AMD64_CONFIG);
    assert.notEqual(arm.image.configDigest, amd.image.configDigest);
    assert.deepEqual(essence(amd), essence(await baseline(ALPINE_ARCHIVE)));

    const hostArch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
    if (hostArch) {
      const def = parseScan(await scan(ref), `${ref} default`);
      assert.equal(def.image.platform.architecture, hostArch);
      assert.equal(def.image.configDigest, hostArch === 'amd64' ? amd.image.configDigest : arm.image.configDigest);
    }

    const none = await scan(ref, ['--platform', 'linux/s390x', '--quiet']);
    const msg = assertOneLineError(none);
    assert.match(msg, /s390x/);
    assert.match(msg, /amd64/, 'names the platforms there are');
  });

  it('cache: a second scan with the same --cache-dir fetches no blob and gives the same result', async () => {
    const dir = cache();
    const ref = `${reg.host}/debian-app:bookworm`;
    await reg.settle();
    const before = reg.blobGets('debian-app');
    const first = parseScan(await scan(ref, [], {}, dir), ref);
    await reg.settle();
    const afterFirst = reg.blobGets('debian-app');
    assert.ok(afterFirst - before >= 10, `the first scan fetched the 10 layers (${afterFirst - before} blob GETs)`);
    const logMark = reg.accessLog().length;
    const second = parseScan(await scan(ref, [], {}, dir), ref);
    await reg.settle();
    const fetched = reg
      .accessLog()
      .slice(logMark)
      .filter((e) => e.method === 'GET' && e.path.includes('/blobs/'))
      .map((e) => e.path.slice(e.path.lastIndexOf('/') + 1));
    const layers = new Set(first.image.layers.map((l) => l.digest));
    assert.deepEqual(fetched.filter((d) => layers.has(d)), [], 'layer blobs fetched again');
    assert.deepEqual(fetched, [], `blobs fetched again (config is ${first.image.configDigest})`);
    assert.deepEqual(essence(second), essence(first));
    assert.deepEqual(second.findings, first.findings);
  });
});

/** Credentials through flags, env and refusal; shared by htpasswd and token registries. */
function credentialTests(kind: 'htpasswd' | 'token'): void {
  let reg: Registry;
  const outputs: TimedRun[] = [];
  const run = async (extra: string[], opts: Parameters<typeof cavasAsync>[1] = {}): Promise<TimedRun> => {
    const r = await scan(`${reg.host}/alpine:3.16.9`, extra, opts);
    outputs.push(r);
    return r;
  };

  before(async () => {
    reg = await registry({ auth: kind });
    await pushImage(reg, `docker-archive:${ALPINE_ARCHIVE}`, 'alpine:3.16.9');
  });

  it('without credentials: exit 2, one line naming the registry and how to log in', async () => {
    const msg = assertOneLineError(await run(['--quiet']));
    assert.ok(msg.includes(reg.host), msg);
    assert.match(msg, /--username|CAVAS_USERNAME/);
  });

  it('--username with --password-stdin: same result as the archive', async () => {
    const r = await run(['--username', reg.username ?? '', '--password-stdin'], { input: `${reg.password}\n` });
    assert.deepEqual(essence(parseScan(r, 'with --password-stdin')), essence(await baseline(ALPINE_ARCHIVE)));
  });

  it('CAVAS_USERNAME / CAVAS_PASSWORD: same result', async () => {
    const r = await run(['--quiet'], { env: { CAVAS_USERNAME: reg.username, CAVAS_PASSWORD: reg.password } });
    assert.deepEqual(essence(parseScan(r, 'with CAVAS_USERNAME')), essence(await baseline(ALPINE_ARCHIVE)));
  });

  it('~/.docker/config.json "auths" entry (DOCKER_CONFIG): same result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cavas-dockercfg-'));
    caches.push(dir);
    const auth = Buffer.from(`${reg.username}:${reg.password}`).toString('base64');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth } } }));
    const r = await run(['--quiet'], { env: { DOCKER_CONFIG: dir } });
    assert.deepEqual(essence(parseScan(r, 'with config.json auths')), essence(await baseline(ALPINE_ARCHIVE)));
  });

  it('a docker credential helper (credHelpers): same result, asked for this registry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cavas-credhelper-'));
    caches.push(dir);
    const asked = join(dir, 'asked');
    const helper = join(dir, 'docker-credential-cavastest');
    writeFileSync(
      helper,
      [
        '#!/bin/sh',
        '[ "$1" = get ] || exit 1',
        'read server',
        `echo "$server" >> '${asked}'`,
        `printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$server" '${reg.username}' '${reg.password}'`,
        '',
      ].join('\n'),
    );
    chmodSync(helper, 0o755);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ credHelpers: { [reg.host]: 'cavastest' } }));
    const r = await run(['--quiet'], { env: { DOCKER_CONFIG: dir, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` } });
    assert.deepEqual(essence(parseScan(r, 'with a credential helper')), essence(await baseline(ALPINE_ARCHIVE)));
    assert.ok(readFileSync(asked, 'utf8').split('\n').includes(reg.host), 'the helper was asked for host:port');
  });

  it('a wrong password: exit 2, one line naming the registry', async () => {
    const wrong = `${reg.password ?? ''}-wrong`;
    const r = await run(['--quiet', '--username', reg.username ?? '', '--password-stdin'], { input: wrong });
    const msg = assertOneLineError(r);
    assert.ok(msg.includes(reg.host), msg);
    assert.ok(!r.stderr.includes(wrong) && !r.stdout.includes(wrong));
  });

  if (kind === 'token') {
    it('the token server issued pull tokens for the user (the token flow was used)', () => {
      const issued = reg.tokenServer?.requests.filter((q) => q.account === reg.username && q.status === 200) ?? [];
      assert.ok(
        issued.some((q) => q.granted.some((g) => g.name === 'alpine' && g.actions.includes('pull'))),
        JSON.stringify(reg.tokenServer?.requests),
      );
      assert.ok(reg.tokenServer?.requests.some((q) => q.account === undefined && q.status === 401), 'the anonymous attempt was refused');
    });
  }

  it('the password never appears in any output', () => {
    assert.ok(outputs.length >= 6);
    for (const r of outputs) {
      assert.ok(!r.stdout.includes(reg.password ?? '\0'), 'password in stdout');
      assert.ok(!r.stderr.includes(reg.password ?? '\0'), `password in stderr: ${r.stderr}`);
    }
  });
}

describe('htpasswd registry', () => credentialTests('htpasswd'));
describe('token registry', () => credentialTests('token'));

describe('token registry with anonymous pull (public images)', () => {
  it('scans without credentials through an anonymous token', async () => {
    const reg = await registry({ auth: 'token', anonymous: 'pull' });
    await pushImage(reg, `docker-archive:${ALPINE_ARCHIVE}`, 'alpine:3.16.9');
    const r = await scan(`${reg.host}/alpine:3.16.9`, ['--quiet']);
    assert.deepEqual(essence(parseScan(r, 'anonymous')), essence(await baseline(ALPINE_ARCHIVE)));
    assert.ok(reg.tokenServer?.requests.some((q) => q.account === undefined && q.status === 200 && q.granted.length > 0));
  });
});

describe('faults', () => {
  for (const how of ['all', 'byte'] as const) {
    it(`a corrupted layer blob (${how === 'all' ? 'every byte' : 'one byte'} changed): exit 2, the message says digest and names the layer`, async () => {
      const reg = await registry();
      await pushImage(reg, `docker-archive:${ALPINE_ARCHIVE}`, 'alpine:3.16.9');
      const layer = (await getManifest(reg, 'alpine', '3.16.9')).layers?.[0]?.digest ?? '';
      corruptBlob(reg, layer, how);
      const msg = assertOneLineError(await scan(`${reg.host}/alpine:3.16.9`, ['--quiet']));
      assert.match(msg, /digest/i);
      assert.ok(msg.includes(layer.slice('sha256:'.length, 'sha256:'.length + 12)), `names ${layer}: ${msg}`);
    });
  }

  it('a stopped registry: exit 2 quickly, the message names the host', async () => {
    const reg = await registry();
    await pushImage(reg, `docker-archive:${ALPINE_ARCHIVE}`, 'alpine:3.16.9');
    await reg.stop();
    const r = await scan(`${reg.host}/alpine:3.16.9`, ['--quiet', '--timeout', '5']);
    const msg = assertOneLineError(r);
    assert.ok(msg.includes(reg.host), msg);
    assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
  });

  it('a port nobody listens on: exit 2, names the host', async () => {
    const host = await unreachableHost();
    const msg = assertOneLineError(await scan(`${host}/alpine:3.16.9`, ['--quiet', '--timeout', '5']));
    assert.ok(msg.includes(host), msg);
  });

  it('a registry that accepts connections and never answers: exit 2 within about --timeout', async () => {
    const hole = await startBlackhole();
    try {
      const r = await scan(`${hole.host}/alpine:3.16.9`, ['--quiet', '--timeout', '2']);
      const msg = assertOneLineError(r);
      assert.ok(msg.includes(hole.host), msg);
      assert.ok(r.ms >= 1500, `gave up after ${r.ms} ms, before the timeout`);
      assert.ok(r.ms < 15_000, `took ${r.ms} ms with --timeout 2`);
    } finally {
      await hole.close();
    }
  });

  describe('429 Too Many Requests with Retry-After: 1', () => {
    let reg: Registry;
    before(async () => {
      reg = await registry();
      await pushImage(reg, `docker-archive:${ALPINE_ARCHIVE}`, 'alpine:3.16.9');
    });

    for (const kind of ['blob', 'manifest'] as const) {
      it(`on the first ${kind} request: waits, retries and succeeds`, async () => {
        const proxy = await startFaultProxy(reg.host, { rules: [{ kind, first: 1, retryAfter: 1 }] });
        try {
          const r = await scan(`${proxy.host}/alpine:3.16.9`, ['--quiet']);
          assert.deepEqual(essence(parseScan(r, `through the proxy (429 on ${kind})`)), essence(await baseline(ALPINE_ARCHIVE)));
          assert.ok(r.ms >= 1000, `took ${r.ms} ms`);
          const faulted = proxy.requests.find((q) => q.faulted);
          assert.ok(faulted, `the proxy answered a ${kind} request with 429: ${JSON.stringify(proxy.requests)}`);
          const retry = proxy.requests.find((q) => !q.faulted && q.path === faulted.path && q.method === faulted.method && q.at > faulted.at);
          assert.ok(retry, `the ${kind} request was retried`);
          assert.ok(retry.at - faulted.at >= 950, `retried after ${retry.at - faulted.at} ms, before Retry-After`);
        } finally {
          await proxy.close();
        }
      });
    }
  });
});

describe('TLS registry', () => {
  let reg: Registry;
  before(async () => {
    reg = await registry({ tls: true });
    await pushImage(reg, `docker-archive:${ALPINE_ARCHIVE}`, 'alpine:3.16.9');
  });

  it('--ca-cert with the registry CA: same result as the archive', async () => {
    const r = await scan(`${reg.host}/alpine:3.16.9`, ['--ca-cert', reg.caFile ?? '']);
    assert.deepEqual(essence(parseScan(r, 'TLS with --ca-cert')), essence(await baseline(ALPINE_ARCHIVE)));
  });

  it('without the CA: exit 2, one line about the certificate naming the host', async () => {
    const msg = assertOneLineError(await scan(`${reg.host}/alpine:3.16.9`, ['--quiet']));
    assert.ok(msg.includes(reg.host), msg);
    assert.match(msg, /certificate|TLS|x509|self[- ]signed|verify/i);
  });
});
