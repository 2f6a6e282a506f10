/** The images list: search, one row per image with its open findings by severity, paging. */
import { getJson } from '../api.js';
import { countBadges, digestCode, h, heading, navigate, plural, replace, route, routeWithQuery, status, time } from '../dom.js';

export const PAGE_SIZE = 50;

function nonNegativeInt(s) {
  const n = Number(s);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

export async function renderImages(main, { query }, ctx) {
  const q = (query.get('q') ?? '').slice(0, 200);
  const repository = query.get('repository') ?? '';
  const offset = nonNegativeInt(query.get('offset'));
  ctx.setTitle(q ? `Images matching “${q}”` : 'Images');

  const data = await getJson('images', { q, repository, limit: PAGE_SIZE, offset }, { signal: ctx.signal });
  const images = Array.isArray(data?.images) ? data.images : [];
  const total = typeof data?.total === 'number' ? data.total : images.length;

  const input = h('input', { type: 'search', id: 'image-q', name: 'q', value: q, placeholder: 'repository, registry or tag', autocomplete: 'off' });
  const form = h(
    'form',
    {
      role: 'search',
      class: 'controls',
      onsubmit(e) {
        e.preventDefault();
        navigate(routeWithQuery('#/images', { q: input.value.trim(), repository }));
      },
    },
    h('label', { for: 'image-q' }, 'Search images'),
    input,
    h('button', { type: 'submit' }, 'Search'),
    q || repository ? h('a', { href: '#/images' }, 'Clear') : null,
  );

  const first = images.length ? offset + 1 : 0;
  const last = offset + images.length;
  const summary = total === 0 ? (q || repository ? 'No image matches.' : 'No images stored yet.') : `Showing ${first}–${last} of ${plural(total, 'image')}`;

  replace(
    main,
    heading('Images'),
    form,
    repository ? h('p', {}, 'Repository: ', h('code', {}, repository)) : null,
    status(summary),
    images.length ? imagesTable(images) : null,
    pager(total, offset, { q, repository }),
  );
}

function imagesTable(images) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'images' },
      h('caption', { class: 'sr-only' }, 'Stored images'),
      h(
        'thead',
        {},
        h('tr', {}, ['Repository', 'Tags', 'Digest', 'Last scanned', 'Open findings'].map((t) => h('th', { scope: 'col' }, t))),
      ),
      h(
        'tbody',
        {},
        images.map((img) =>
          h(
            'tr',
            { dataset: { id: img.id } },
            h(
              'th',
              { scope: 'row', class: 'repo' },
              h('a', { href: route('images', img.id) }, String(img.repository ?? '')),
              h('div', { class: 'muted small' }, String(img.registry ?? '')),
            ),
            h('td', { class: 'tags' }, tagList(img.tags)),
            h('td', {}, digestCode(img.digest)),
            h('td', {}, img.scannedAt ? time(img.scannedAt) : h('span', { class: 'muted' }, 'pending')),
            h('td', { class: 'findings' }, countBadges(img.counts, Boolean(img.scannedAt))),
          ),
        ),
      ),
    ),
  );
}

export function tagList(tags) {
  if (!Array.isArray(tags) || tags.length === 0) return h('span', { class: 'muted' }, 'untagged');
  return h('ul', { class: 'chips' }, tags.map((t) => h('li', {}, h('code', {}, String(t)))));
}

function pager(total, offset, params) {
  if (total <= PAGE_SIZE && offset === 0) return null;
  const prev = offset > 0 ? Math.max(0, offset - PAGE_SIZE) : undefined;
  const next = offset + PAGE_SIZE < total ? offset + PAGE_SIZE : undefined;
  const link = (to, text, rel) =>
    to === undefined
      ? h('span', { class: 'disabled', 'aria-disabled': 'true' }, text)
      : h('a', { href: routeWithQuery('#/images', { ...params, offset: to || undefined }), rel }, text);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    link(prev, '← Previous', 'prev'),
    h('span', {}, `Page ${Math.floor(offset / PAGE_SIZE) + 1} of ${pages}`),
    link(next, 'Next →', 'next'),
  );
}
