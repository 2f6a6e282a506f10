/* global document, window, location, history, AbortController, URLSearchParams */
/**
 * The cavas web UI: a hash router over four views (images, one image, vulnerability
 * search, events) and the token prompt. Each view renders into <main> and gets an
 * AbortSignal and a cleanup hook, so leaving a page cancels its requests and timers.
 */
import { ApiError, clearToken, getToken, isAbort, setToken, validToken } from './api.js';
import { errorBox, h, heading, replace } from './dom.js';
import { renderImages } from './views/images.js';
import { renderImage } from './views/image.js';
import { renderVuln } from './views/vuln.js';
import { renderEvents } from './views/events.js';

const main = document.getElementById('main');
const dialog = document.getElementById('token-dialog');
const tokenForm = document.getElementById('token-form');
const tokenInput = document.getElementById('token-input');
const tokenMessage = document.getElementById('token-message');

/** Route table: pattern over the hash path, the view, and the nav entry it belongs to. */
const ROUTES = [
  { re: /^\/images$/, view: renderImages, nav: 'images' },
  { re: /^\/images\/(\d{1,15})$/, view: renderImage, nav: 'images' },
  { re: /^\/vuln$/, view: renderVuln, nav: 'vuln' },
  { re: /^\/vuln\/([^/]+)$/, view: renderVuln, nav: 'vuln' },
  { re: /^\/events$/, view: renderEvents, nav: 'events' },
];

/** '#/images/12?tab=packages' -> { path: '/images/12', query: URLSearchParams }. */
export function parseHash(hash) {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  return { path: path.replace(/\/+$/, '') || '/', query };
}

let current = null;
let firstRender = true;

function cleanup() {
  if (!current) return;
  current.controller.abort();
  for (const fn of current.cleanups) {
    try {
      fn();
    } catch {
      // A view's cleanup failing must not stop the next view.
    }
  }
  current = null;
}

function setNav(name) {
  for (const a of document.querySelectorAll('nav.main-nav a')) {
    if (a.dataset.nav === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function decode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

async function render() {
  cleanup();
  const { path, query } = parseHash(location.hash);
  if (path === '/') {
    history.replaceState(null, '', '#/images');
    return render();
  }
  const match = ROUTES.map((r) => ({ r, m: r.re.exec(path) })).find((x) => x.m);
  const controller = new AbortController();
  const ctx = {
    signal: controller.signal,
    cleanups: [],
    onCleanup(fn) {
      this.cleanups.push(fn);
    },
    setTitle(title) {
      document.title = `${title} · cavas`;
    },
  };
  current = { controller, cleanups: ctx.cleanups };
  main.setAttribute('aria-busy', 'true');

  try {
    if (!match) {
      setNav('');
      ctx.setTitle('Not found');
      replace(main, heading('Page not found'), h('p', {}, h('a', { href: '#/images' }, 'Back to the images')));
    } else {
      setNav(match.r.nav);
      const params = match.m.slice(1).map(decode);
      if (params.some((p) => p === undefined)) throw new ApiError(400, 'bad_request', 'Malformed address.');
      replace(main, h('p', { class: 'loading' }, 'Loading…'));
      await match.r.view(main, { params, query }, ctx);
    }
  } catch (err) {
    if (isAbort(err) || controller.signal.aborted) return;
    const message =
      err instanceof ApiError && err.status === 401
        ? 'Sign in with an API token to see this page.'
        : err instanceof ApiError
          ? `Could not load this page: ${err.message}`
          : `Something went wrong: ${err instanceof Error ? err.message : String(err)}`;
    replace(main, heading('cavas'), errorBox(message));
  } finally {
    if (!controller.signal.aborted) {
      main.removeAttribute('aria-busy');
      // Move focus to the new page's heading so keyboard and screen-reader users land there.
      if (!firstRender) main.querySelector('h1')?.focus({ preventScroll: false });
      firstRender = false;
    }
  }
}

function showTokenPrompt(message) {
  tokenMessage.textContent = message ?? '';
  tokenMessage.hidden = !message;
  // Already open: leave what the user is typing alone.
  if (dialog.open) return;
  tokenInput.value = '';
  dialog.showModal();
  tokenInput.focus();
}

tokenForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const token = tokenInput.value.trim();
  if (!validToken(token)) {
    tokenMessage.textContent = 'A token is printable characters without spaces.';
    tokenMessage.hidden = false;
    tokenInput.focus();
    return;
  }
  setToken(token);
  dialog.close();
  void render();
});

// Without a token nothing can be shown: Escape does not dismiss the prompt then.
dialog.addEventListener('cancel', (e) => {
  if (!getToken()) e.preventDefault();
});

document.getElementById('sign-out').addEventListener('click', () => {
  clearToken();
  cleanup();
  replace(main, heading('Signed out'), h('p', {}, 'The token was forgotten in this tab.'));
  showTokenPrompt('Signed out. Enter a token to continue.');
});

window.addEventListener('cavas:unauthorized', (e) => {
  clearToken();
  showTokenPrompt(e.detail?.message);
});

window.addEventListener('hashchange', () => void render());

// Without a token the first API call fires cavas:unauthorized, which opens the prompt.
void render();
