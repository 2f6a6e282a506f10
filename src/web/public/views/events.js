/* global document, history, setTimeout, clearTimeout */
/** What the server did lately, newest first, refreshed every 10 s while the page is open. */
import { ApiError, getJson, isAbort } from '../api.js';
import { checkbox, digestCode, h, heading, replace, route, routeWithQuery, select, severityBadge, status, time } from '../dom.js';

export const EVENT_TYPES = ['image.pushed', 'image.scanned', 'scan.failed', 'finding.new', 'finding.fixable', 'finding.gone', 'db.updated'];
export const REFRESH_MS = 10_000;
const PAGE = 100;
/** Rows kept on screen while new ones keep arriving. */
const MAX_KEPT = 500;

function listOf(data) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.events)) return data.events;
  return [];
}

function byNewest(a, b) {
  return (b.id ?? 0) - (a.id ?? 0);
}

/** data values as one short line each: the API stores whatever the event carried. */
function summarize(data) {
  if (!data || typeof data !== 'object') return null;
  const entries = Object.entries(data).slice(0, 8);
  if (entries.length === 0) return null;
  return h(
    'ul',
    { class: 'kv' },
    entries.map(([k, v]) => {
      let text = typeof v === 'string' ? v : JSON.stringify(v);
      if (text === undefined) text = String(v);
      if (text.length > 160) text = `${text.slice(0, 160)}…`;
      return h('li', {}, h('span', { class: 'muted' }, `${k}: `), text);
    }),
  );
}

function eventRow(e, fresh) {
  const image = e.repository
    ? [
        h('a', { href: routeWithQuery('#/images', { repository: e.repository }) }, String(e.repository)),
        e.registry ? h('div', { class: 'muted small' }, String(e.registry)) : null,
        e.digest ? h('div', {}, digestCode(e.digest)) : null,
      ]
    : e.digest
      ? digestCode(e.digest)
      : h('span', { class: 'muted' }, '—');
  const finding = e.findingId
    ? [e.severity ? severityBadge(e.severity) : null, ' ', h('a', { href: route('vuln', e.findingId) }, String(e.findingId))]
    : null;
  return h(
    'tr',
    { class: fresh ? 'fresh' : undefined, dataset: { id: e.id, type: e.type } },
    h('td', { class: 'when' }, time(e.at, true)),
    h('td', {}, h('code', {}, String(e.type ?? ''))),
    h('td', {}, image),
    h('td', {}, finding),
    h('td', { class: 'data' }, summarize(e.data)),
  );
}

export async function renderEvents(main, { query }, ctx) {
  ctx.setTitle('Events');
  const state = { type: EVENT_TYPES.includes(query.get('type')) ? query.get('type') : '', auto: true, events: [], timer: undefined };
  const body = h('tbody');
  const shown = status();
  const updated = h('span', { class: 'muted small updated' });

  const table = h(
    'table',
    { class: 'events-table' },
    h('caption', { class: 'sr-only' }, 'Events, newest first'),
    h('thead', {}, h('tr', {}, ['Time', 'Type', 'Image', 'Finding', 'Details'].map((t) => h('th', { scope: 'col' }, t)))),
    body,
  );

  function draw(freshIds = new Set()) {
    replace(body, state.events.map((e) => eventRow(e, freshIds.has(e.id))));
    table.hidden = state.events.length === 0;
    updated.textContent = '';
    updated.append('Updated ', time(new Date().toISOString(), true));
  }

  async function load() {
    const data = await getJson('events', { type: state.type, limit: PAGE, order: 'desc' }, { signal: ctx.signal });
    state.events = listOf(data).sort(byNewest).slice(0, MAX_KEPT);
    shown.textContent = state.events.length === 0 ? 'No events yet.' : `${state.events.length} latest events`;
    draw();
  }

  async function poll() {
    const after = state.events.reduce((m, e) => Math.max(m, e.id ?? 0), 0);
    // Oldest first after the last id seen: a burst bigger than one page arrives over several polls.
    const data = await getJson('events', { after, type: state.type, limit: PAGE, order: 'asc' }, { signal: ctx.signal });
    const known = new Set(state.events.map((e) => e.id));
    const fresh = listOf(data).filter((e) => !known.has(e.id));
    if (fresh.length === 0) {
      draw();
      return;
    }
    state.events = [...fresh, ...state.events].sort(byNewest).slice(0, MAX_KEPT);
    shown.textContent = `${fresh.length} new ${fresh.length === 1 ? 'event' : 'events'}`;
    draw(new Set(fresh.map((e) => e.id)));
  }

  function schedule() {
    clearTimeout(state.timer);
    if (!state.auto || ctx.signal.aborted) return;
    state.timer = setTimeout(async () => {
      // A hidden tab skips the request but keeps the schedule.
      if (!document.hidden) {
        try {
          await poll();
        } catch (err) {
          if (isAbort(err) || ctx.signal.aborted) return;
          // Signed out: the prompt is up and the page renders again after sign-in.
          if (err instanceof ApiError && err.status === 401) return;
          shown.textContent = `Refresh failed: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      schedule();
    }, REFRESH_MS);
  }
  ctx.onCleanup(() => clearTimeout(state.timer));

  const controls = h(
    'div',
    { class: 'controls', role: 'group', 'aria-label': 'Event options' },
    select('event-type', 'Type', [['', 'All types'], ...EVENT_TYPES.map((t) => [t, t])], state.type, async (e) => {
      state.type = e.target.value;
      history.replaceState(null, '', routeWithQuery('#/events', { type: state.type }));
      try {
        await load();
      } catch (err) {
        if (!isAbort(err)) shown.textContent = `Could not load events: ${err instanceof Error ? err.message : String(err)}`;
      }
      schedule();
    }),
    checkbox('event-auto', 'Refresh every 10 s', state.auto, (e) => {
      state.auto = e.target.checked;
      schedule();
    }),
    updated,
  );

  await load();
  replace(main, heading('Events'), controls, shown, h('div', { class: 'table-wrap' }, table));
  schedule();
}
