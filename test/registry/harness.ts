/**
 * Real container registries for integration tests: Debian's `docker-registry`
 * (distribution 2.8) on 127.0.0.1, optionally behind htpasswd or token auth and TLS,
 * filled with corpus images by `skopeo copy`. Needs the apt packages docker-registry,
 * skopeo, apache2-utils (htpasswd) and openssl; no container engine.
 *
 * Every server started here dies with the test process (see spawnDaemon); call
 * `stop()` in `after` to free it earlier.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { makeServerCert, makeSigningCert } from './certs.js';
import { fetchRaw, freePort, run, sleep, spawnDaemon, type HttpReply } from './procs.js';
import { startTokenServer, TOKEN_ISSUER, TOKEN_SERVICE, type TokenServer } from './token-server.js';

export type RegistryAuth = 'none' | 'htpasswd' | 'token';

export interface RegistryOptions {
  auth?: RegistryAuth;
  tls?: boolean;
  /** Token auth only: what anonymous clients get from the token server (default 'deny'). */
  anonymous?: 'deny' | 'pull' | 'no-access';
  /** Send push/pull notifications to this endpoint with `Authorization: Bearer <secret>` (cavas server tests). */
  notify?: { url: string; secret: string };
}

export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
}

export interface Registry {
  /** 127.0.0.1:PORT, what goes in front of an image reference. */
  host: string;
  /** http(s)://127.0.0.1:PORT */
  url: string;
  storageDir: string;
  /** CA certificate that signed the TLS registry's certificate. */
  caFile?: string;
  username?: string;
  password?: string;
  tokenServer?: TokenServer;
  /** Every line the registry wrote to stdout and stderr so far. */
  logs(): string[];
  /** The access log (combined format) parsed. */
  accessLog(): AccessLogEntry[];
  /** Successful (200/307) `GET /v2/<repo>/blobs/sha256:<hex>` requests so far, optionally only for one repository. */
  blobGets(repo?: string): number;
  /** Waits until requests already answered have reached the access log (it is written after the response). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

// distribution 2.8 with log.accesslog enabled writes gorilla's combined log format:
// 127.0.0.1 - - [29/Nov/2026:06:49:02 +0000] "GET /v2/alpine/blobs/sha256:2985… HTTP/1.1" 200 2915590 "" "curl/7.88.1"
const ACCESS_LINE = /^\S+ \S+ \S+ \[[^\]]+\] "(\S+) (\S+) HTTP\/[\d.]+" (\d{3}) /;
const BLOB_PATH = /^\/v2\/(.+)\/blobs\/sha256:[0-9a-f]{64}$/;

export function parseAccessLog(lines: string[]): AccessLogEntry[] {
  const out: AccessLogEntry[] = [];
  for (const line of lines) {
    const m = ACCESS_LINE.exec(line);
    if (m?.[1] && m[2] && m[3]) out.push({ method: m[1], path: m[2], status: Number(m[3]) });
  }
  return out;
}

const yamlString = (s: string): string => JSON.stringify(s);

export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const auth = opts.auth ?? 'none';
  const dir = mkdtempSync(join(tmpdir(), 'cavas-registry-'));
  const storageDir = join(dir, 'storage');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const cleanup: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const config: string[] = [
      'version: 0.1',
      'log:',
      '  level: info',
      '  formatter: text',
      '  accesslog:',
      '    disabled: false',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${yamlString(storageDir)}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: ${host}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
    ];

    let caFile: string | undefined;
    let ca: Buffer | undefined;
    if (opts.tls) {
      const tls = await makeServerCert(dir);
      caFile = tls.caFile;
      ca = readFileSync(caFile);
      config.push('  tls:', `    certificate: ${yamlString(tls.certFile)}`, `    key: ${yamlString(tls.keyFile)}`);
    }

    let username: string | undefined;
    let password: string | undefined;
    let tokenServer: TokenServer | undefined;
    if (auth !== 'none') {
      username = 'cavas-user';
      // distinctive, so "the password never appears in output" checks mean something
      password = `pw-${randomBytes(9).toString('base64url')}`;
    }
    if (auth === 'htpasswd') {
      const { stdout } = await run('htpasswd', ['-Bbn', username ?? '', password ?? '']);
      const file = join(dir, 'htpasswd');
      writeFileSync(file, stdout.trim() + '\n');
      config.push('auth:', '  htpasswd:', '    realm: test-registry', `    path: ${yamlString(file)}`);
    } else if (auth === 'token') {
      const signing = await makeSigningCert(dir);
      tokenServer = await startTokenServer({
        users: { [username ?? '']: password ?? '' },
        anonymous: opts.anonymous,
        certFile: signing.certFile,
        keyFile: signing.keyFile,
      });
      const ts = tokenServer;
      cleanup.push(() => ts.close());
      config.push(
        'auth:',
        '  token:',
        `    realm: ${yamlString(tokenServer.realm)}`,
        `    service: ${TOKEN_SERVICE}`,
        `    issuer: ${TOKEN_ISSUER}`,
        `    rootcertbundle: ${yamlString(signing.certFile)}`,
      );
    }

    if (opts.notify) {
      config.push(
        'notifications:',
        '  endpoints:',
        '    - name: cavas',
        `      url: ${yamlString(opts.notify.url)}`,
        '      headers:',
        `        Authorization: [${yamlString('Bearer ' + opts.notify.secret)}]`,
        '      timeout: 3s',
        '      threshold: 3',
        '      backoff: 1s',
        // layer pushes are of no interest; manifests are what cavas scans
        '      ignoredmediatypes:',
        '        - application/octet-stream',
      );
    }

    const configFile = join(dir, 'config.yml');
    writeFileSync(configFile, config.join('\n') + '\n');
    const daemon = spawnDaemon('docker-registry', ['serve', configFile]);
    cleanup.unshift(() => daemon.stop());
    const url = `${opts.tls ? 'https' : 'http'}://${host}`;

    const deadline = Date.now() + 20_000;
    let exitCode: number | null | undefined;
    void daemon.exited.then((c) => (exitCode = c));
    for (;;) {
      if (exitCode !== undefined) throw new Error(`docker-registry exited (${exitCode}) at start-up:\n${daemon.lines.join('\n')}`);
      const reply = await fetchRaw(`${url}/v2/`, { ca, timeoutMs: 2000 }).catch(() => undefined);
      if (reply && (reply.status === 200 || reply.status === 401)) break;
      if (Date.now() > deadline) throw new Error(`docker-registry on ${host} did not answer /v2/ within 20 s:\n${daemon.lines.join('\n')}`);
      await sleep(100);
    }

    const accessLog = (): AccessLogEntry[] => parseAccessLog(daemon.lines);
    return {
      host,
      url,
      storageDir,
      caFile,
      username,
      password,
      tokenServer,
      logs: () => [...daemon.lines],
      accessLog,
      blobGets: (repo?: string) =>
        accessLog().filter((e) => {
          if (e.method !== 'GET' || (e.status !== 200 && e.status !== 307)) return false;
          const m = BLOB_PATH.exec(e.path);
          return m !== null && (repo === undefined || m[1] === repo);
        }).length,
      settle: async () => {
        const mark = `/v2/?settle=${randomUUID()}`;
        await fetchRaw(`${url}${mark}`, { ca }).catch(() => undefined);
        const until = Date.now() + 3000;
        while (!accessLog().some((e) => e.path === mark) && Date.now() < until) await sleep(20);
        // the marker was answered after everything before it; give stragglers a moment
        await sleep(50);
      },
      stop: async () => {
        for (const step of cleanup.splice(0)) await step();
      },
    };
  } catch (e) {
    for (const step of cleanup.splice(0)) await step();
    throw e;
  }
}

let scratch: string | undefined;
const gunzipped = new Map<string, string>();

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** skopeo's docker-archive reader wants a plain tar; gzip'd archives are unpacked once per process. */
async function plainArchive(path: string): Promise<string> {
  if (!isGzip(path)) return path;
  const known = gunzipped.get(path);
  if (known) return known;
  if (!scratch) {
    const dir = mkdtempSync(join(tmpdir(), 'cavas-push-'));
    scratch = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const out = join(scratch, `${gunzipped.size}.tar`);
  await pipeline(createReadStream(path), createGunzip(), createWriteStream(out));
  gunzipped.set(path, out);
  return out;
}

/**
 * Pushes `source` (a skopeo transport reference: docker-archive:PATH, oci-archive:PATH[:REF],
 * oci:DIR[:REF]) to `<registry>/<dest>`; `all` keeps a whole index (multi-arch). Returns the
 * digest of the manifest (or index) written.
 */
export async function pushImage(registry: Registry, source: string, dest: string, opts: { all?: boolean } = {}): Promise<string> {
  const colon = source.indexOf(':');
  let src = source;
  if (source.slice(0, colon) === 'docker-archive') src = `docker-archive:${await plainArchive(source.slice(colon + 1))}`;
  const digestFile = join(tmpdir(), `cavas-push-digest-${randomUUID()}`);
  const args = ['--insecure-policy', 'copy', '--dest-tls-verify=false', '--digestfile', digestFile];
  if (registry.username !== undefined) args.push('--dest-creds', `${registry.username}:${registry.password ?? ''}`);
  if (opts.all) args.push('--all');
  args.push(src, `docker://${registry.host}/${dest}`);
  try {
    await run('skopeo', args);
    return readFileSync(digestFile, 'utf8').trim();
  } finally {
    rmSync(digestFile, { force: true });
  }
}

/** Path of a blob's bytes in the registry's filesystem storage. */
export function blobPath(registry: Registry, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`not a sha256 digest: ${digest}`);
  return join(registry.storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

/**
 * Changes a stored blob in place, keeping its length: the registry still serves it, but
 * its digest no longer matches. `all` inverts every byte (not even the gzip magic is
 * left); `byte` flips one byte in the middle, like bit rot.
 */
export function corruptBlob(registry: Registry, digest: string, how: 'all' | 'byte' = 'all'): void {
  const file = blobPath(registry, digest);
  const data = readFileSync(file);
  if (how === 'all') for (let i = 0; i < data.length; i++) data[i] = (data[i] ?? 0) ^ 0xff;
  else {
    const mid = data.length >> 1;
    data[mid] = (data[mid] ?? 0) ^ 0xff;
  }
  writeFileSync(file, data);
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * GET on the registry API as a client would, answering basic or bearer challenges with
 * the registry's credentials. For tests that need to look at what was pushed.
 */
export async function registryGet(registry: Registry, path: string, accept = MANIFEST_TYPES): Promise<HttpReply> {
  const ca = registry.caFile ? readFileSync(registry.caFile) : undefined;
  const headers: Record<string, string> = { Accept: accept };
  const first = await fetchRaw(`${registry.url}${path}`, { headers, ca });
  if (first.status !== 401) return first;
  const basic = `Basic ${Buffer.from(`${registry.username ?? ''}:${registry.password ?? ''}`).toString('base64')}`;
  const challenge = String(first.headers['www-authenticate'] ?? '');
  if (/^Basic/i.test(challenge)) return fetchRaw(`${registry.url}${path}`, { headers: { ...headers, Authorization: basic }, ca });
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const tokenUrl = new URL(params.realm ?? '');
  if (params.service) tokenUrl.searchParams.set('service', params.service);
  if (params.scope) tokenUrl.searchParams.set('scope', params.scope);
  const tokenReply = await fetchRaw(tokenUrl.href, { headers: { Authorization: basic } });
  if (tokenReply.status !== 200) throw new Error(`token server: HTTP ${tokenReply.status} ${tokenReply.body.toString()}`);
  const { token } = JSON.parse(tokenReply.body.toString()) as { token: string };
  return fetchRaw(`${registry.url}${path}`, { headers: { ...headers, Authorization: `Bearer ${token}` }, ca });
}

export interface ManifestInfo {
  mediaType: string;
  config?: { digest: string };
  layers?: Array<{ digest: string; size: number; mediaType: string }>;
  manifests?: Array<{ digest: string; platform?: { os: string; architecture: string; variant?: string } }>;
}

export async function getManifest(registry: Registry, repo: string, ref: string): Promise<ManifestInfo> {
  const r = await registryGet(registry, `/v2/${repo}/manifests/${ref}`);
  if (r.status !== 200) throw new Error(`manifest ${repo}:${ref}: HTTP ${r.status} ${r.body.toString()}`);
  return JSON.parse(r.body.toString()) as ManifestInfo;
}

export { startBlackhole, startFaultProxy, unreachableHost } from './fault-proxy.js';
export type { FaultPlan, FaultProxy, FaultRule, ProxiedRequest, RequestKind } from './fault-proxy.js';
