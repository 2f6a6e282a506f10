/* global document, location, window, history, HashChangeEvent, URLSearchParams */
/**
 * Building the page from data without ever parsing data as markup: every string becomes a
 * text node or an attribute value, never HTML. Image data (tags, paths, titles, layer
 * commands) comes from whoever pushed the image, so it is treated as hostile throughout.
 */

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NEGLIGIBLE', 'UNKNOWN'];
export const KINDS = ['vulnerability', 'config', 'secret', 'malware'];

/** Properties set directly (not as attributes) so their live state is what changes. */
const PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'open']);

/**
 * h('a', { href: '#/x', class: 'y', onclick: fn }, 'text', child, [more]).
 * Children: strings and numbers become text nodes; null, undefined and false are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
    } else if (key === 'href') {
      el.setAttribute('href', safeHref(String(value)));
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    } else if (PROPS.has(key)) {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (typeof child === 'string' || typeof child === 'number') el.append(document.createTextNode(String(child)));
    else el.append(child);
  }
}

/** Links only ever lead inside the UI (hash routes) or to the same origin. */
function safeHref(href) {
  if (href.startsWith('#') || href.startsWith('/') || /^[a-z0-9._-]+(\/|$)/i.test(href)) {
    if (!href.startsWith('//')) return href;
  }
  return '#/';
}

/** Replace an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The route of one image, vulnerability, ... with each dynamic segment encoded. */
export function route(...segments) {
  return '#/' + segments.map((s) => encodeURIComponent(String(s))).join('/');
}

export function routeWithQuery(base, params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '' && v !== false) qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${base}?${s}` : base;
}

/** sha256:0123456789ab, enough to tell images apart; the full digest is in the title. */
export function shortDigest(digest) {
  if (typeof digest !== 'string') return '';
  const m = /^([a-z0-9]+):([0-9a-f]+)$/i.exec(digest);
  return m ? `${m[1]}:${m[2].slice(0, 12)}` : digest.slice(0, 19);
}

export function digestCode(digest) {
  return h('code', { class: 'digest', title: digest }, shortDigest(digest));
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** Local time as YYYY-MM-DD HH:MM, the ISO value machine-readable in <time>. */
export function time(iso, withSeconds = false) {
  if (typeof iso !== 'string' || iso === '') return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', {}, iso);
  let text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (withSeconds) text += `:${pad(d.getSeconds())}`;
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, text);
}

export function bytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function isSeverity(s) {
  return SEVERITIES.includes(s);
}

export function severityRank(s) {
  const i = SEVERITIES.indexOf(s);
  return i < 0 ? SEVERITIES.length : i;
}

export function severityBadge(sev) {
  const s = isSeverity(sev) ? sev : 'UNKNOWN';
  return h('span', { class: ['badge', 'sevb', `s-${s.toLowerCase()}`], dataset: { sev: s } }, s);
}

/**
 * Open findings by severity: one coloured badge per non-zero severity. The letter is for
 * the eye; screen readers hear the full word.
 */
export function countBadges(counts, scanned = true) {
  if (!scanned) return h('span', { class: 'muted' }, 'pending');
  const list = h('span', { class: 'counts' });
  let any = false;
  for (const s of SEVERITIES) {
    const n = counts && typeof counts[s] === 'number' ? counts[s] : 0;
    if (n <= 0) continue;
    any = true;
    list.append(
      h(
        'span',
        { class: ['badge', 'sevb', `s-${s.toLowerCase()}`], title: `${n} ${s.toLowerCase()}`, dataset: { sev: s, count: n } },
        h('span', { 'aria-hidden': 'true' }, s[0]),
        h('span', { class: 'sr-only' }, ` ${s.toLowerCase()}`),
        ' ',
        h('span', { class: 'n' }, n),
      ),
    );
  }
  if (!any) list.append(h('span', { class: 'muted' }, 'none'));
  return list;
}

/** A labelled <select>; options as [value, label] pairs. */
export function select(id, labelText, options, value, onchange) {
  const sel = h(
    'select',
    { id, onchange },
    options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)),
  );
  return h('span', { class: 'field' }, h('label', { for: id }, labelText), sel);
}

export function checkbox(id, labelText, checked, onchange) {
  return h('span', { class: 'field check' }, h('input', { type: 'checkbox', id, checked, onchange }), h('label', { for: id }, labelText));
}

/** A status line read out politely by screen readers when it changes. */
export function status(text = '') {
  return h('p', { class: 'status', role: 'status', 'aria-live': 'polite' }, text);
}

export function errorBox(message) {
  return h('div', { class: 'error', role: 'alert' }, message);
}

/** A page heading that navigation moves focus to. */
export function heading(text, ...rest) {
  return h('h1', { tabindex: '-1' }, text, ...rest);
}

/** Plural helper: "1 image", "3 images". */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** Go to a route; going to the page already shown renders it again (a repeated search). */
export function navigate(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** Record view state (filters, tab) in the address without rendering the page again. */
export function replaceRoute(hash) {
  if (location.hash !== hash) history.replaceState(null, '', hash);
}
