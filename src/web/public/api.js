/* global document, window, sessionStorage, fetch, URLSearchParams, CustomEvent */
/**
 * The API client: every call carries the token from sessionStorage as a Bearer header
 * (never a cookie, so the API needs no CSRF defence and the token dies with the tab).
 * A 401 fires `cavas:unauthorized`, which brings the token prompt back.
 */

const TOKEN_KEY = 'cavas.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage blocked: there is nothing to clear.
  }
}

/** Tokens are printable ASCII without spaces; anything else cannot go in a header anyway. */
export function validToken(token) {
  return /^[\x21-\x7e]{1,512}$/.test(token);
}

/** API paths resolve against the page, so the UI also works behind a path prefix. */
function apiUrl(path, params) {
  const url = new URL(`api/${path}`, document.baseURI);
  if (params) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    }
    url.search = qs.toString();
  }
  return url;
}

/** One path segment from user or API data: `..` or `/` can never change the route. */
export function seg(value) {
  return encodeURIComponent(String(value));
}

function unauthorized(message) {
  window.dispatchEvent(new CustomEvent('cavas:unauthorized', { detail: { message } }));
  return new ApiError(401, 'unauthorized', message);
}

async function request(path, params, { signal, accept }) {
  const token = getToken();
  if (!token) throw unauthorized('Enter an API token to continue.');
  const res = await fetch(apiUrl(path, params), {
    headers: { authorization: `Bearer ${token}`, accept },
    signal,
    cache: 'no-store',
    credentials: 'omit',
    redirect: 'error',
  });
  if (res.ok) return res;
  let code = 'http_error';
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = await res.json();
    if (body && body.error && typeof body.error.message === 'string') {
      code = String(body.error.code ?? code);
      message = body.error.message;
    }
  } catch {
    // Not the API's JSON error shape (a proxy's page): keep the status line.
  }
  if (res.status === 401) throw unauthorized(`The server refused the token: ${message}.`);
  throw new ApiError(res.status, code, message);
}

/** GET api/<path> as JSON. */
export async function getJson(path, params, opts = {}) {
  const res = await request(path, params, { signal: opts.signal, accept: 'application/json' });
  return res.json();
}

/** GET api/<path> as a Blob, with the file name the server suggests (if any). */
export async function getBlob(path, opts = {}) {
  const res = await request(path, undefined, { signal: opts.signal, accept: opts.accept ?? '*/*' });
  const disposition = res.headers.get('content-disposition') ?? '';
  const m = /filename="([^"]+)"/i.exec(disposition);
  return { blob: await res.blob(), filename: m ? m[1] : undefined };
}

export function isAbort(err) {
  return err instanceof Error && err.name === 'AbortError';
}
