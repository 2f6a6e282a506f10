/** "Which images have CVE-X?": a search box and the images holding an open finding with that id. */
import { ApiError, getJson, seg } from '../api.js';
import { digestCode, errorBox, h, heading, navigate, plural, replace, route, severityBadge, status, time } from '../dom.js';
import { tagList } from './images.js';

/** Ids are short and printable (CVE-2024-1234, GHSA-xxxx-xxxx-xxxx, DSA-5000-1, rule ids). */
const MAX_ID = 200;

/** The API's answer as rows of (finding, image): one per image holding the finding. */
function rowsOf(data) {
  const findings = Array.isArray(data) ? data : Array.isArray(data?.findings) ? data.findings : [];
  const rows = [];
  for (const f of findings) {
    const images = Array.isArray(f?.images) ? f.images : [];
    for (const image of images) rows.push({ f, image });
  }
  return rows;
}

export async function renderVuln(main, { params }, ctx) {
  const id = (params[0] ?? '').trim().slice(0, MAX_ID);
  ctx.setTitle(id ? `${id}` : 'Vulnerability search');

  const input = h('input', { type: 'search', id: 'vuln-id', name: 'id', value: id, placeholder: 'CVE-2023-4911', autocomplete: 'off', required: true, maxlength: String(MAX_ID), spellcheck: 'false' });
  const form = h(
    'form',
    {
      role: 'search',
      class: 'controls',
      onsubmit(e) {
        e.preventDefault();
        const v = input.value.trim();
        if (v) navigate(route('vuln', v));
      },
    },
    h('label', { for: 'vuln-id' }, 'Vulnerability or rule ID'),
    input,
    h('button', { type: 'submit' }, 'Find images'),
  );

  if (!id) {
    replace(main, heading('Which images have it?'), form, h('p', { class: 'muted' }, 'Enter a CVE, advisory (GHSA, DSA) or rule ID to list the stored images with that open finding.'));
    return;
  }

  let data;
  try {
    data = await getJson(`vulnerabilities/${seg(id)}`, undefined, { signal: ctx.signal });
  } catch (err) {
    // A malformed id is the user's typo: keep the form so it can be corrected.
    if (!(err instanceof ApiError) || err.status !== 400) throw err;
    replace(main, heading('Which images have it?'), form, errorBox(`Not a valid ID: ${err.message}`));
    return;
  }
  const rows = rowsOf(data);
  const imageCount = new Set(rows.map((r) => r.image.id)).size;
  const summary = imageCount === 0 ? `No stored image has an open finding ${id}.` : `${id} is open in ${plural(imageCount, 'image')}.`;
  rows.sort(
    (a, b) =>
      String(a.image.repository ?? '').localeCompare(String(b.image.repository ?? '')) ||
      String(a.f.packageName ?? '').localeCompare(String(b.f.packageName ?? '')),
  );
  const first = rows[0]?.f;
  const title = first?.finding?.title ? h('p', {}, String(first.finding.title)) : null;

  replace(
    main,
    heading('Which images have ', h('code', {}, id), '?'),
    form,
    title,
    status(summary),
    rows.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'vuln-images' },
            h('caption', { class: 'sr-only' }, `Images with ${id}`),
            h(
              'thead',
              {},
              h('tr', {}, ['Image', 'Tags', 'Digest', 'Severity', 'Package / location', 'Installed', 'Fixed in', 'First seen'].map((t) => h('th', { scope: 'col' }, t))),
            ),
            h(
              'tbody',
              {},
              rows.map(({ f, image }) =>
                h(
                  'tr',
                  { dataset: { image: image.id } },
                  h(
                    'th',
                    { scope: 'row' },
                    h('a', { href: route('images', image.id) }, String(image.repository ?? '')),
                    h('div', { class: 'muted small' }, String(image.registry ?? '')),
                  ),
                  h('td', { class: 'tags' }, tagList(image.tags)),
                  h('td', {}, digestCode(image.digest)),
                  h('td', {}, severityBadge(f.severity)),
                  h('td', { class: 'where', title: f.purl ? String(f.purl) : undefined }, String(f.packageName ?? f.path ?? '')),
                  h('td', { class: 'ver' }, String(f.installedVersion ?? '')),
                  h('td', { class: 'ver' }, f.fixedVersion && f.fixedVersion !== 'unfixed' ? String(f.fixedVersion) : h('span', { class: 'muted' }, f.kind === 'vulnerability' ? 'unfixed' : '')),
                  h('td', {}, time(f.firstSeen)),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}
