/**
 * The fixed stylesheet and script of `--format html`. Both are constants, never built from
 * scan data, so the script can be pinned in the CSP by its hash instead of 'unsafe-inline'.
 */
import { createHash } from 'node:crypto';

export const HTML_STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1b1f24; --muted: #5a636e; --line: #d8dee4; --card: #f6f8fa; --link: #0550ae;
  --critical: #a40e26; --high: #d1242f; --medium: #9a6700; --low: #0969da; --negligible: #6e7781; --unknown: #6e7781; --badge-fg: #fff; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --card: #161b22; --link: #4493f8;
    --critical: #ff7b72; --high: #ffa198; --medium: #d29922; --low: #58a6ff; --negligible: #8d96a0; --unknown: #8d96a0; --badge-fg: #0d1117; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; padding: 24px; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 22px; margin: 0 0 8px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 32px 0 8px; }
a { color: var(--link); }
code, td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0 4px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.card .n { display: block; font-size: 22px; font-weight: 600; }
.card .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.card.sev { border-left-width: 5px; }
.controls { position: sticky; top: 0; background: var(--bg); padding: 10px 0; border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; z-index: 1; }
.controls input[type=search] { min-width: 320px; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); }
.controls label { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
/* break-word, not anywhere: ids and versions keep their width, only over-long values wrap. */
td { overflow-wrap: break-word; }
th { background: var(--card); white-space: nowrap; }
td.wide { min-width: 18em; }
td.id { white-space: nowrap; }
td.where { min-width: 14em; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 11px; font-weight: 600; color: var(--badge-fg); background: var(--unknown); white-space: nowrap; }
.badge.kev { background: #8250df; margin-left: 4px; }
.s-critical { --sev: var(--critical); } .s-high { --sev: var(--high); } .s-medium { --sev: var(--medium); }
.s-low { --sev: var(--low); } .s-negligible { --sev: var(--negligible); } .s-unknown { --sev: var(--unknown); }
.badge.sevb { background: var(--sev); }
.card.sev { border-left-color: var(--sev); }
.muted, .shown { color: var(--muted); }
.shown { font-weight: normal; font-size: 13px; margin-left: 8px; }
ul.notes li { overflow-wrap: anywhere; }
section.errors h2 { color: var(--high); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { .controls { display: none; } }
`;

/**
 * Progressive enhancement: the filter controls ship hidden and only this script shows them,
 * so a reader with scripts off sees no dead controls. It reads text with textContent and
 * writes only textContent and `hidden`: data never becomes markup.
 */
export const HTML_SCRIPT = `
(function () {
  'use strict';
  var controls = document.getElementById('controls');
  var box = document.getElementById('filter');
  if (!controls || !box) return;
  var toggles = Array.prototype.slice.call(document.querySelectorAll('input[data-sev-toggle]'));
  var sections = Array.prototype.slice.call(document.querySelectorAll('section[data-kind]'));
  function apply() {
    var text = String(box.value || '').trim().toLowerCase();
    var off = {};
    toggles.forEach(function (t) { if (!t.checked) off[t.value] = true; });
    sections.forEach(function (s) {
      var rows = Array.prototype.slice.call(s.querySelectorAll('tbody tr'));
      var shown = 0;
      rows.forEach(function (r) {
        var ok = !off[r.getAttribute('data-sev')] && (text === '' || (r.textContent || '').toLowerCase().indexOf(text) >= 0);
        r.hidden = !ok;
        if (ok) shown += 1;
      });
      var note = s.querySelector('.shown');
      if (note) note.textContent = shown === rows.length ? '' : shown + ' of ' + rows.length + ' shown';
    });
  }
  box.addEventListener('input', apply);
  toggles.forEach(function (t) { t.addEventListener('change', apply); });
  controls.hidden = false;
  apply();
})();
`;

/** The CSP source that allows exactly HTML_SCRIPT and no other inline script. */
export const HTML_SCRIPT_HASH = `'sha256-${createHash('sha256').update(HTML_SCRIPT).digest('base64')}'`;
