/**
 * Registry authentication: WWW-Authenticate challenges, bearer tokens (distribution token
 * spec and the OAuth2 refresh-token grant for identity tokens), and credentials from the
 * places the docker CLI reads them. Secrets never go into messages: callers pass any
 * server-provided text through redactSecrets before quoting it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CavasError } from '../util/errors.js';
import { readBody, type HttpRequest, type HttpResponse } from './http.js';

export interface AuthChallenge {
  /** Lower case: `bearer`, `basic`, ... */
  scheme: string;
  /** Parameter names in lower case; values unquoted. */
  params: Record<string, string>;
}

export interface Credentials {
  username: string;
  password: string;
}

export interface ResolvedCredentials extends Credentials {
  /** Where they came from, for messages (never the secret itself). */
  source: string;
  /** An OAuth2 refresh token (docker login's identity token) used instead of the password. */
  identityToken?: string;
}

export interface CredentialOptions {
  /** --username / --password-stdin. */
  explicit?: Credentials;
  /** Defaults to process.env; also the PATH credential helpers are looked up on. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to os.homedir(); `~/.docker/config.json` unless DOCKER_CONFIG is set. */
  homeDir?: string;
  log?: (message: string) => void;
  helperTimeoutMs?: number;
}

/** How to log in, appended to authentication errors. */
export const LOGIN_HINT =
  'pass --username and --password-stdin, set CAVAS_USERNAME/CAVAS_PASSWORD, or add credentials to ~/.docker/config.json';

/** The key `docker login` uses for Docker Hub in config.json and credential helpers. */
const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';
const DOCKER_HUB_ALIASES = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];
const MAX_HELPER_OUTPUT = 1024 * 1024;
const MAX_TOKEN_RESPONSE = 1024 * 1024;
/** The token spec's lifetime when expires_in is absent. */
const DEFAULT_TOKEN_LIFETIME_S = 60;

/**
 * Parses a WWW-Authenticate header (RFC 7235): one or more challenges, each a scheme and
 * comma-separated `name=value` or `name="quoted, value"` parameters.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let current: AuthChallenge | undefined;
  let i = 0;
  const n = header.length;
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';
  while (i < n) {
    while (i < n && (isSpace(header[i]) || header[i] === ',')) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(header[i]) && header[i] !== '=' && header[i] !== ',') i++;
    const token = header.slice(start, i);
    let j = i;
    while (j < n && isSpace(header[j])) j++;
    if (header[j] === '=' && current) {
      i = j + 1;
      while (i < n && isSpace(header[i])) i++;
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++; // closing quote
      } else {
        const vs = i;
        while (i < n && header[i] !== ',' && !isSpace(header[i])) i++;
        value = header.slice(vs, i);
      }
      current.params[token.toLowerCase()] = value;
    } else if (token !== '') {
      current = { scheme: token.toLowerCase(), params: {} };
      challenges.push(current);
    } else {
      i++; // a stray '=' with no challenge: skip it
    }
  }
  return challenges;
}

/** Bearer is preferred over Basic, as the docker CLI does. */
export function pickChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}

export function basicAuthorization(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`;
}

/** Replaces every form in which a secret could be echoed back (plain, base64 pair) by `***`. */
export function redactSecrets(text: string, creds: ResolvedCredentials | Credentials | undefined): string {
  if (!creds) return text;
  const secrets = [creds.password, basicAuthorization(creds).slice('Basic '.length)];
  if ('identityToken' in creds && creds.identityToken) secrets.push(creds.identityToken);
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

// ---------------------------------------------------------------------------------------
// Credentials

function hostKey(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}

function registryHosts(registry: string): string[] {
  const r = registry.toLowerCase();
  return DOCKER_HUB_ALIASES.includes(r) ? DOCKER_HUB_ALIASES : [r];
}

/** The exact key first (as `docker login` writes it), then any key naming the same host. */
function lookupKey<T>(map: Record<string, T> | undefined, registry: string): [string, T] | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const exact = registryHosts(registry).includes('docker.io') ? DOCKER_HUB_SERVER_URL : registry;
  if (Object.hasOwn(map, exact)) return [exact, map[exact] as T];
  const hosts = registryHosts(registry);
  for (const [key, value] of Object.entries(map)) if (hosts.includes(hostKey(key))) return [key, value];
  return undefined;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv, homeDir: string): string {
  const dir = env.DOCKER_CONFIG ? env.DOCKER_CONFIG : path.join(homeDir, '.docker');
  return path.join(dir, 'config.json');
}

function readDockerConfig(file: string, log: (m: string) => void): DockerConfig | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log(`${file}: cannot read (${(e as NodeJS.ErrnoException).code})`);
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as DockerConfig;
  } catch {
    // JSON.parse messages quote the input, which holds secrets: say nothing about where.
  }
  log(`${file}: not a valid docker config file; ignoring it`);
  return undefined;
}

/**
 * Credentials for a registry, first found wins: explicit options, CAVAS_USERNAME and
 * CAVAS_PASSWORD, then the docker config (credHelpers, credsStore, auths).
 */
export async function resolveCredentials(
  registry: string,
  opts: CredentialOptions = {},
): Promise<ResolvedCredentials | undefined> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  if (opts.explicit) return { ...opts.explicit, source: '--username/--password-stdin' };

  const envUser = env.CAVAS_USERNAME;
  const envPass = env.CAVAS_PASSWORD;
  if (envUser !== undefined || envPass !== undefined) {
    if (!envUser || envPass === undefined) {
      throw new CavasError('USAGE', 'set both CAVAS_USERNAME and CAVAS_PASSWORD, or neither');
    }
    return { username: envUser, password: envPass, source: 'CAVAS_USERNAME/CAVAS_PASSWORD' };
  }

  const file = dockerConfigPath(env, opts.homeDir ?? os.homedir());
  const config = readDockerConfig(file, log);
  if (!config) return undefined;

  const serverUrl = registryHosts(registry).includes('docker.io') ? DOCKER_HUB_SERVER_URL : registry;
  const helper = lookupKey(config.credHelpers, registry);
  if (helper && typeof helper[1] === 'string') {
    const creds = await runCredentialHelper(helper[1], serverUrl, env, log, opts.helperTimeoutMs);
    if (creds) return creds;
  }
  if (typeof config.credsStore === 'string' && config.credsStore !== '') {
    const creds = await runCredentialHelper(config.credsStore, serverUrl, env, log, opts.helperTimeoutMs);
    if (creds) return creds;
  }

  const entry = lookupKey(config.auths, registry);
  if (!entry || !entry[1] || typeof entry[1] !== 'object') return undefined;
  const [key, auth] = entry;
  const source = `${file} (auths "${key}")`;
  if (typeof auth.identitytoken === 'string' && auth.identitytoken !== '') {
    return { username: '', password: '', identityToken: auth.identitytoken, source };
  }
  if (typeof auth.auth === 'string' && auth.auth !== '') {
    const decoded = Buffer.from(auth.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      log(`${source}: "auth" is not base64 of user:password; ignoring it`);
      return undefined;
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
  }
  if (typeof auth.username === 'string' && typeof auth.password === 'string' && auth.username !== '') {
    return { username: auth.username, password: auth.password, source };
  }
  return undefined;
}

/**
 * `docker-credential-<name> get` with the server URL on stdin, as the docker CLI runs it.
 * Any failure (helper missing, no entry, bad output) means "no credentials here".
 */
async function runCredentialHelper(
  name: string,
  serverUrl: string,
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
  timeoutMs = 30_000,
): Promise<ResolvedCredentials | undefined> {
  // The name comes from a config file and becomes part of a command name.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    log(`credential helper name ${JSON.stringify(name)} is not valid; ignoring it`);
    return undefined;
  }
  const program = `docker-credential-${name}`;
  const result = await new Promise<{ code: number | null; stdout: Buffer; error?: string }>((resolve) => {
    let settled = false;
    const done = (r: { code: number | null; stdout: Buffer; error?: string }): void => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const chunks: Buffer[] = [];
    let size = 0;
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ code: null, stdout: Buffer.alloc(0), error: `did not answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done({ code: null, stdout: Buffer.alloc(0), error: e.code === 'ENOENT' ? 'not found on PATH' : (e.code ?? 'failed to start') });
    });
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_HELPER_OUTPUT) chunks.push(c);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout: Buffer.concat(chunks) });
    });
    child.stdin.on('error', () => {}); // a helper that exits without reading stdin
    child.stdin.end(serverUrl);
  });
  if (result.error !== undefined) {
    log(`credential helper ${program} ${result.error}; continuing without its credentials`);
    return undefined;
  }
  if (result.code !== 0) {
    // Output of a failed helper is usually "credentials not found"; it is not quoted in case it is not.
    log(`credential helper ${program} has no credentials for ${serverUrl} (exit code ${result.code})`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const obj = parsed as { Username?: unknown; Secret?: unknown } | undefined;
  if (!obj || typeof obj !== 'object' || typeof obj.Username !== 'string' || typeof obj.Secret !== 'string') {
    log(`credential helper ${program} returned output that is not {Username, Secret} JSON; ignoring it`);
    return undefined;
  }
  if (obj.Secret === '') return undefined;
  const source = `credential helper ${program}`;
  // docker login stores OAuth2 refresh tokens with this placeholder user name.
  if (obj.Username === '<token>') return { username: '', password: '', identityToken: obj.Secret, source };
  return { username: obj.Username, password: obj.Secret, source };
}

// ---------------------------------------------------------------------------------------
// Bearer tokens

/** Tokens by registry + realm + service + scope, kept until shortly before they expire. */
export class TokenCache {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  static key(registry: string, challenge: AuthChallenge, scope: string): string {
    return [registry, challenge.params.realm ?? '', challenge.params.service ?? '', scope].join('\n');
  }

  get(key: string, now = Date.now()): string | undefined {
    const hit = this.tokens.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= now) {
      this.tokens.delete(key);
      return undefined;
    }
    return hit.token;
  }

  /** Expires a tenth early so that a token does not run out between check and use. */
  set(key: string, token: string, expiresInS: number, now = Date.now()): void {
    this.tokens.set(key, { token, expiresAt: now + expiresInS * 900 });
  }

  delete(key: string): void {
    this.tokens.delete(key);
  }
}

export interface TokenContext {
  registry: string;
  /** Sends one request (with the caller's retry policy). */
  send: (req: HttpRequest) => Promise<HttpResponse>;
  /** May this host be spoken to in plain http? */
  allowPlainHttp: (url: URL) => boolean;
  /** Client identifier for the OAuth2 grant. */
  clientId: string;
}

export interface Token {
  token: string;
  expiresInS: number;
}

function safeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Fetches a bearer token for `scope` as the challenge's realm asks. */
export async function fetchBearerToken(
  challenge: AuthChallenge,
  scope: string,
  creds: ResolvedCredentials | undefined,
  ctx: TokenContext,
): Promise<Token> {
  const realmText = challenge.params.realm;
  if (!realmText) {
    throw new CavasError('AUTH_FAILED', `${ctx.registry}: the registry's bearer challenge names no token realm`);
  }
  let realm: URL;
  try {
    realm = new URL(realmText);
  } catch {
    realm = new URL('invalid:');
  }
  if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && ctx.allowPlainHttp(realm))) {
    throw new CavasError(
      'AUTH_FAILED',
      `${ctx.registry}: token realm ${JSON.stringify(redactSecrets(realmText.slice(0, 200), creds))} is not an https URL (plain http only for loopback and --insecure-registry hosts)`,
    );
  }
  const service = challenge.params.service;
  let req: HttpRequest;
  if (creds?.identityToken) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: ctx.clientId, scope });
    if (service !== undefined) form.set('service', service);
    req = {
      method: 'POST',
      url: realm,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form.toString(), 'utf8'),
    };
  } else {
    const url = new URL(realm);
    if (service !== undefined) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    req = { method: 'GET', url, headers: creds ? { authorization: basicAuthorization(creds) } : {} };
  }
  const res = await ctx.send(req);
  const where = `token server ${safeUrl(realm)}`;
  if (res.status === 401 || res.status === 403) {
    res.body.destroy();
    const msg = creds
      ? `${ctx.registry}: ${where} rejected the credentials from ${creds.source} (${res.status}); check them`
      : `${ctx.registry}: authentication required (${where} answered ${res.status}); ${LOGIN_HINT}`;
    throw new CavasError('AUTH_FAILED', msg);
  }
  if (res.status !== 200) {
    res.body.destroy();
    throw new CavasError('FETCH_FAILED', `${ctx.registry}: ${where} answered HTTP ${res.status}`);
  }
  const body = await readBody(res, MAX_TOKEN_RESPONSE, `${ctx.registry}: ${where}`);
  let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown } | undefined;
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const token =
    typeof parsed?.token === 'string' && parsed.token !== ''
      ? parsed.token
      : typeof parsed?.access_token === 'string' && parsed.access_token !== ''
        ? parsed.access_token
        : undefined;
  if (token === undefined) {
    throw new CavasError('AUTH_FAILED', `${ctx.registry}: ${where} returned no token`);
  }
  const expires = typeof parsed?.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_TOKEN_LIFETIME_S;
  return { token, expiresInS: expires };
}
