/* global document, setTimeout */
/**
 * One image: what it is, its layers, its findings (sortable, filterable), its packages,
 * and its SBOM as a download fetched with the token.
 */
import { getBlob, getJson, seg } from '../api.js';
import {
  KINDS,
  SEVERITIES,
  bytes,
  checkbox,
  countBadges,
  digestCode,
  errorBox,
  h,
  heading,
  isSeverity,
  replace,
  replaceRoute,
  route,
  routeWithQuery,
  select,
  severityBadge,
  severityRank,
  status,
  time,
} from '../dom.js';
import { tagList } from './images.js';

/** Rows rendered at once; filters narrow the rest down. */
const MAX_ROWS = 1000;
const TABS = ['findings', 'packages', 'layers'];

export function isFixable(f) {
  return f.kind === 'vulnerability' && typeof f.fixedVersion === 'string' && f.fixedVersion !== '' && f.fixedVersion !== 'unfixed';
}

/** The API answers a list, or an object holding one; take the list either way. */
function listOf(data, key) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data[key])) return data[key];
  return [];
}

export async function renderImage(main, { params, query }, ctx) {
  const id = params[0];
  const [image, findingsData] = await Promise.all([
    getJson(`images/${seg(id)}`, undefined, { signal: ctx.signal }),
    getJson(`images/${seg(id)}/findings`, { open: 'true' }, { signal: ctx.signal }),
  ]);
  const findings = listOf(findingsData, 'findings');
  const layers = listOf(image?.layers, 'layers');
  ctx.setTitle(String(image.repository ?? `Image ${id}`));

  const state = {
    tab: TABS.includes(query.get('tab')) ? query.get('tab') : 'findings',
    kind: KINDS.includes(query.get('kind')) ? query.get('kind') : '',
    severity: isSeverity(query.get('severity')) ? query.get('severity') : '',
    fixable: query.get('fixable') === '1',
    text: (query.get('text') ?? '').slice(0, 200),
    sort: 'severity',
    dir: 'desc',
  };
  const base = route('images', id);
  function remember() {
    replaceRoute(
      routeWithQuery(base, {
        tab: state.tab === 'findings' ? undefined : state.tab,
        kind: state.kind,
        severity: state.severity,
        fixable: state.fixable ? '1' : undefined,
        text: state.text,
      }),
    );
  }

  const sbomStatus = status();
  const sbomButton = h('button', { type: 'button', id: 'sbom-download', onclick: () => void downloadSbom(image, sbomButton, sbomStatus) }, 'Download SBOM (CycloneDX)');

  const panels = {
    findings: findingsPanel(findings, state, remember, Boolean(image.scannedAt)),
    packages: h('div', {}, h('p', { class: 'loading' }, 'Loading packages…')),
    layers: layersPanel(layers),
  };
  let packagesLoaded = false;
  async function loadPackages() {
    if (packagesLoaded) return;
    packagesLoaded = true;
    try {
      const data = await getJson(`images/${seg(id)}/packages`, undefined, { signal: ctx.signal });
      const packages = listOf(data, 'packages');
      replace(panels.packages, packagesPanel(packages, data && !Array.isArray(data) ? data.os : undefined, data?.scanned !== false));
      const tab = document.getElementById('image-tab-packages');
      if (tab) tab.textContent = `Packages (${packages.length})`;
    } catch (err) {
      if (ctx.signal.aborted) return;
      packagesLoaded = false;
      replace(panels.packages, errorBox(`Could not load the packages: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  const labels = { findings: `Findings (${findings.length})`, packages: 'Packages', layers: `Layers (${layers.length})` };
  const tabs = tabSet(
    'image',
    'Image details',
    TABS.map((t) => ({ key: t, label: labels[t], panel: panels[t] })),
    state.tab,
    (key) => {
      state.tab = key;
      remember();
      if (key === 'packages') void loadPackages();
    },
  );
  if (state.tab === 'packages') void loadPackages();

  replace(
    main,
    heading(String(image.repository ?? '')),
    h('p', { class: 'muted subtitle' }, String(image.registry ?? '')),
    h(
      'dl',
      { class: 'meta' },
      h('dt', {}, 'Digest'),
      h('dd', {}, h('code', { class: 'digest-full' }, String(image.digest ?? ''))),
      h('dt', {}, 'Tags'),
      h('dd', {}, tagList(image.tags)),
      image.mediaType ? [h('dt', {}, 'Media type'), h('dd', {}, h('code', {}, String(image.mediaType)))] : null,
      h('dt', {}, 'First seen'),
      h('dd', {}, time(image.firstSeen)),
      h('dt', {}, 'Last seen'),
      h('dd', {}, time(image.lastSeen)),
      h('dt', {}, 'Last scanned'),
      h('dd', {}, image.scannedAt ? time(image.scannedAt) : h('span', { class: 'muted' }, 'pending')),
      h('dt', {}, 'Open findings'),
      h('dd', { class: 'findings' }, countBadges(image.counts, Boolean(image.scannedAt))),
    ),
    h('div', { class: 'actions' }, image.scannedAt ? sbomButton : null, sbomStatus),
    tabs,
  );
}

/** WAI-ARIA tabs: arrow keys, Home and End move between tabs; each tab shows its panel. */
function tabSet(prefix, label, items, selected, onSelect) {
  const buttons = [];
  const wrap = h('div', { class: 'tabs' });
  const list = h('div', { role: 'tablist', 'aria-label': label });
  function activate(i, focus) {
    items.forEach((item, j) => {
      const on = i === j;
      buttons[j].setAttribute('aria-selected', String(on));
      buttons[j].tabIndex = on ? 0 : -1;
      item.panelEl.hidden = !on;
    });
    if (focus) buttons[i].focus();
    onSelect(items[i].key);
  }
  items.forEach((item, i) => {
    const b = h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `${prefix}-tab-${item.key}`,
        'aria-controls': `${prefix}-panel-${item.key}`,
        onclick: () => activate(i, false),
        onkeydown(e) {
          const n = items.length;
          const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i - 1 + n) % n, Home: 0, End: n - 1 }[e.key];
          if (to === undefined) return;
          e.preventDefault();
          activate(to, true);
        },
      },
      item.label,
    );
    buttons.push(b);
    list.append(b);
    item.panelEl = h('div', { role: 'tabpanel', id: `${prefix}-panel-${item.key}`, 'aria-labelledby': b.id, tabindex: '0' }, item.panel);
  });
  wrap.append(list, ...items.map((i) => i.panelEl));
  const start = Math.max(0, items.findIndex((i) => i.key === selected));
  items.forEach((item, j) => {
    buttons[j].setAttribute('aria-selected', String(j === start));
    buttons[j].tabIndex = j === start ? 0 : -1;
    item.panelEl.hidden = j !== start;
  });
  return wrap;
}

// ---- findings

function compare(a, b, key) {
  switch (key) {
    case 'severity':
      return severityRank(a.severity) - severityRank(b.severity);
    case 'id':
      return String(a.id).localeCompare(String(b.id), undefined, { numeric: true });
    case 'package':
      return where(a).localeCompare(where(b));
    case 'firstSeen':
      return String(a.firstSeen ?? '').localeCompare(String(b.firstSeen ?? ''));
    default:
      return 0;
  }
}

function where(f) {
  if (f.kind === 'vulnerability') return String(f.packageName ?? f.finding?.package?.name ?? '');
  const d = f.finding ?? {};
  const p = f.path ?? d.path;
  if (p) return d.line ? `${p}:${d.line}` : String(p);
  return String(d.field ?? '');
}

function findingsPanel(findings, state, remember, scanned) {
  const countsByKind = Object.fromEntries(KINDS.map((k) => [k, findings.filter((f) => f.kind === k).length]));
  const body = h('tbody');
  const shown = status();
  const headers = {};

  const text = h('input', {
    type: 'search',
    id: 'finding-text',
    value: state.text,
    placeholder: 'ID, package or path',
    autocomplete: 'off',
    oninput() {
      state.text = text.value.trim();
      update();
    },
  });

  const controls = h(
    'div',
    { class: 'controls', role: 'group', 'aria-label': 'Filter findings' },
    h('span', { class: 'field' }, h('label', { for: 'finding-text' }, 'Filter'), text),
    select(
      'finding-kind',
      'Kind',
      [['', 'All kinds'], ...KINDS.map((k) => [k, `${k} (${countsByKind[k]})`])],
      state.kind,
      (e) => {
        state.kind = e.target.value;
        update();
      },
    ),
    select(
      'finding-severity',
      'Severity',
      [['', 'All severities'], ...SEVERITIES.map((s) => [s, s.charAt(0) + s.slice(1).toLowerCase()])],
      state.severity,
      (e) => {
        state.severity = e.target.value;
        update();
      },
    ),
    checkbox('finding-fixable', 'Only fixable', state.fixable, (e) => {
      state.fixable = e.target.checked;
      update();
    }),
  );

  function sortHeader(key, label) {
    const th = h(
      'th',
      { scope: 'col', class: 'sortable' },
      h(
        'button',
        {
          type: 'button',
          class: 'sort',
          onclick() {
            if (state.sort === key) state.dir = state.dir === 'asc' ? 'desc' : 'asc';
            else {
              state.sort = key;
              // Severity reads best worst-first; the rest alphabetically / oldest first.
              state.dir = key === 'severity' ? 'desc' : 'asc';
            }
            update();
          },
        },
        label,
        h('span', { class: 'arrow', 'aria-hidden': 'true' }),
      ),
    );
    headers[key] = th;
    return th;
  }

  const table = h(
    'table',
    { class: 'findings-table' },
    h('caption', { class: 'sr-only' }, 'Open findings; column headers with buttons sort the table'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        sortHeader('severity', 'Severity'),
        sortHeader('id', 'ID'),
        h('th', { scope: 'col' }, 'Kind'),
        sortHeader('package', 'Package / location'),
        h('th', { scope: 'col' }, 'Installed'),
        h('th', { scope: 'col' }, 'Fixed in'),
        sortHeader('firstSeen', 'First seen'),
      ),
    ),
    body,
  );

  function update() {
    remember();
    const needle = state.text.toLowerCase();
    const rows = findings.filter(
      (f) =>
        (!state.kind || f.kind === state.kind) &&
        (!state.severity || f.severity === state.severity) &&
        (!state.fixable || isFixable(f)) &&
        (!needle || `${f.id} ${where(f)} ${f.finding?.title ?? ''} ${(f.finding?.aliases ?? []).join(' ')}`.toLowerCase().includes(needle)),
    );
    // Ascending severity rank is worst first, which is what "descending severity" means.
    const sign = (state.sort === 'severity' ? state.dir === 'desc' : state.dir === 'asc') ? 1 : -1;
    rows.sort((a, b) => sign * compare(a, b, state.sort) || compare(a, b, 'severity') || compare(a, b, 'id') || compare(a, b, 'package'));
    for (const [key, th] of Object.entries(headers)) {
      if (key === state.sort) th.setAttribute('aria-sort', state.dir === 'asc' ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
      th.querySelector('.arrow').textContent = key === state.sort ? (state.dir === 'asc' ? ' ▲' : ' ▼') : '';
    }
    replace(body, rows.slice(0, MAX_ROWS).map(findingRow));
    table.hidden = rows.length === 0;
    let msg = !scanned ? 'Not scanned yet: findings appear once the scan is done.' : findings.length === 0 ? 'No open findings.' : `Showing ${rows.length} of ${findings.length} findings`;
    if (rows.length > MAX_ROWS) msg += ` (the first ${MAX_ROWS} are listed; narrow the filters to see the rest)`;
    shown.textContent = msg;
  }
  update();
  return h('div', {}, controls, shown, h('div', { class: 'table-wrap' }, table));
}

function findingRow(f) {
  const d = f.finding ?? {};
  const isVuln = f.kind === 'vulnerability';
  const idCell = isVuln
    ? [h('a', { href: route('vuln', f.id) }, String(f.id)), f.kev ? h('span', { class: 'badge kev', title: 'Known exploited (CISA KEV)' }, 'KEV') : null]
    : [h('code', {}, String(f.id))];
  const title = d.title ? h('div', { class: 'muted small clamp', title: String(d.title) }, String(d.title)) : null;
  const detail = !isVuln && d.message ? h('div', { class: 'muted small clamp', title: String(d.message) }, String(d.message)) : null;
  const fixed = isVuln ? (isFixable(f) ? String(f.fixedVersion) : h('span', { class: 'muted' }, 'unfixed')) : '';
  return h(
    'tr',
    { dataset: { sev: f.severity, kind: f.kind, id: f.id } },
    h('td', {}, severityBadge(f.severity)),
    h('td', { class: 'id' }, idCell, title),
    h('td', {}, String(f.kind)),
    h('td', { class: 'where', title: f.purl ? String(f.purl) : undefined }, where(f), detail),
    h('td', { class: 'ver' }, isVuln ? String(f.installedVersion ?? '') : ''),
    h('td', { class: 'ver' }, fixed),
    h('td', {}, time(f.firstSeen)),
  );
}

// ---- packages

function packagesPanel(packages, os, scanned) {
  const body = h('tbody');
  const shown = status();
  const input = h('input', {
    type: 'search',
    id: 'package-filter',
    placeholder: 'name, version or type',
    autocomplete: 'off',
    oninput: () => update(),
  });
  const sorted = [...packages].sort(
    (a, b) => String(a.ecosystem ?? '').localeCompare(String(b.ecosystem ?? '')) || String(a.name ?? '').localeCompare(String(b.name ?? '')),
  );
  function update() {
    const needle = input.value.trim().toLowerCase();
    const rows = needle ? sorted.filter((p) => `${p.name} ${p.version} ${p.ecosystem} ${p.purl ?? ''}`.toLowerCase().includes(needle)) : sorted;
    replace(
      body,
      rows.slice(0, MAX_ROWS).map((p) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row', title: p.purl ? String(p.purl) : undefined }, String(p.name ?? '')),
          h('td', { class: 'ver' }, String(p.version ?? '')),
          h('td', {}, String(p.ecosystem ?? '')),
          h('td', {}, p.license ? String(p.license) : h('span', { class: 'muted' }, '—')),
          h('td', {}, typeof p.layer === 'number' ? String(p.layer) : ''),
        ),
      ),
    );
    let msg = !scanned ? 'Not scanned yet: packages appear once the scan is done.' : packages.length === 0 ? 'No packages found in this image.' : `Showing ${rows.length} of ${packages.length} packages`;
    if (rows.length > MAX_ROWS) msg += ` (the first ${MAX_ROWS} are listed; filter to see the rest)`;
    shown.textContent = msg;
  }
  update();
  const osLine = os && os.id ? h('p', {}, 'Operating system: ', String(os.prettyName ?? `${os.id} ${os.version ?? ''}`)) : null;
  return h(
    'div',
    {},
    osLine,
    h('div', { class: 'controls' }, h('span', { class: 'field' }, h('label', { for: 'package-filter' }, 'Filter packages'), input)),
    shown,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'packages-table' },
        h('caption', { class: 'sr-only' }, 'Packages'),
        h('thead', {}, h('tr', {}, ['Name', 'Version', 'Type', 'License', 'Layer'].map((t) => h('th', { scope: 'col' }, t)))),
        body,
      ),
    ),
  );
}

// ---- layers

function layersPanel(layers) {
  if (layers.length === 0) return h('p', { class: 'muted' }, 'No layers recorded (the scan may still be pending).');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'layers-table' },
      h('caption', { class: 'sr-only' }, 'Layers, oldest first'),
      h('thead', {}, h('tr', {}, ['#', 'Created by', 'Size', 'Digest'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        layers.map((l, i) =>
          h(
            'tr',
            {},
            h('td', { class: 'num' }, String(typeof l.index === 'number' ? l.index : i)),
            h('td', { class: 'cmd' }, l.createdBy ? h('code', {}, String(l.createdBy)) : h('span', { class: 'muted' }, 'unknown')),
            h('td', { class: 'num' }, bytes(l.size)),
            h('td', {}, digestCode(l.digest)),
          ),
        ),
      ),
    ),
  );
}

// ---- SBOM

function safeFileName(name) {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 150) || 'sbom.cdx.json';
}

async function downloadSbom(image, button, statusEl) {
  button.disabled = true;
  statusEl.textContent = 'Preparing the SBOM…';
  try {
    const { blob, filename } = await getBlob(`images/${seg(image.id)}/sbom`, { accept: 'application/vnd.cyclonedx+json, application/json' });
    const hex = String(image.digest ?? '').replace(/^[a-z0-9]+:/i, '').slice(0, 12);
    const name = safeFileName(filename ?? `${image.repository ?? 'image'}-${hex}.cdx.json`);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    // Revoking at once can cancel the download in some browsers.
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
    statusEl.textContent = `Saved ${name}.`;
  } catch (err) {
    statusEl.textContent = `Could not download the SBOM: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    button.disabled = false;
  }
}
