import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { MalwareFinding, ScanResult, SecretFinding, VulnerabilityFinding } from '../../src/types.js';
import { HTML_CSP, escapeHtml, htmlReporter, renderHtml } from '../../src/report/html.js';
import { compareFindings } from '../../src/report/order.js';
import { sampleResult } from './fixtures/sample-result.js';
import { EICAR, GITHUB_PAT, HOSTILE, ROOT_USER, fullResult } from './fixtures/rule-findings.js';

const OPTS = { color: false };

/** Markup a value could try to smuggle in: script, style end, attribute breakouts, an image. */
const EVIL = `${HOSTILE} </style><script>alert(2)</script><img src=x onerror=alert(3)> " onmouseover="alert(4)" ' onfocus='alert(5)'`;

const TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'script', 'body', 'header', 'h1', 'h2', 'dl', 'dt', 'dd', 'code', 'section', 'div', 'span', 'input', 'label', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'p', 'ul', 'li', 'footer']);
const ATTRS = new Set(['lang', 'charset', 'http-equiv', 'content', 'name', 'class', 'id', 'data-kind', 'data-sev', 'data-sev-toggle', 'hidden', 'type', 'placeholder', 'aria-label', 'value', 'checked', 'href', 'rel', 'target', 'title']);

/** The page without the bodies of its one style and one script element. */
function markupOnly(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/, '<style></style>').replace(/<script>[\s\S]*?<\/script>/, '<script></script>');
}

/** Every tag in the page: [name, attribute names]; fails on a tag the attribute grammar does not cover. */
function tags(html: string): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  for (const m of markupOnly(html).matchAll(/<(?!!DOCTYPE)(\/?)([^\s>/]*)([^>]*)>/g)) {
    const [, close, name, rest] = m as unknown as [string, string, string, string];
    if (close) {
      assert.equal(rest, '', `closing tag ${name} has no attributes`);
      out.push([`/${name}`, []]);
      continue;
    }
    const attrs = [...rest.matchAll(/\s+([a-z-]+)(?:="([^"<>]*)")?/g)];
    assert.equal(attrs.map((a) => a[0]).join(''), rest, `tag <${name}${rest}> is well-formed`);
    out.push([name, attrs.map((a) => a[1]!)]);
  }
  return out;
}

/** The rows of a section's table body, as raw row markup. */
function rows(html: string, id: string): string[] {
  const section = new RegExp(`<section id="${id}"[^>]*>([\\s\\S]*?)</section>`).exec(html);
  assert.ok(section, `section ${id}`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(section[1]!);
  return body ? [...body[1]!.matchAll(/<tr[^>]*>[\s\S]*?<\/tr>/g)].map((m) => m[0]) : [];
}

function hostileResult(): ScanResult {
  const base = fullResult();
  const first = sampleResult().findings[0]!;
  const vuln: VulnerabilityFinding = {
    ...first,
    id: `X-1 ${EVIL}`,
    title: EVIL,
    package: { ...first.package, name: EVIL },
    installedVersion: EVIL,
    fixedVersion: EVIL,
    status: 'fixed',
  };
  const secret: SecretFinding = { ...GITHUB_PAT, ruleId: EVIL, message: EVIL, remediation: EVIL, path: EVIL, match: EVIL };
  const malware: MalwareFinding = { ...EICAR, member: EVIL };
  return {
    ...base,
    tool: { name: 'cavas', version: EVIL },
    scannedAt: EVIL,
    image: { ...base.image, ref: EVIL, tags: [EVIL], manifestDigest: EVIL, configDigest: EVIL, created: EVIL, platform: { os: EVIL, architecture: EVIL } },
    inventory: { ...base.inventory, os: { id: 'x', version: '1', prettyName: EVIL } },
    findings: [vuln, { ...ROOT_USER, field: EVIL }, secret, malware],
    warnings: [EVIL],
    errors: [EVIL],
  };
}

describe('html reporter', () => {
  test('is the html format', () => {
    assert.equal(htmlReporter.name, 'html');
    assert.equal(htmlReporter.render(fullResult(), OPTS), renderHtml(fullResult()));
  });

  test('escapeHtml: the five specials, and control characters', () => {
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    assert.equal(escapeHtml('a\u0000b\u001b[31mc\u0085d\te\nf'), 'a b [31mc d\te\nf');
  });

  test('hostile values never become markup', () => {
    const html = renderHtml(hostileResult());
    const found = tags(html);
    for (const [name, attrs] of found) {
      assert.ok(TAGS.has(name.replace(/^\//, '')), `unexpected tag <${name}>`);
      for (const a of attrs) assert.ok(ATTRS.has(a), `unexpected attribute ${a} on <${name}>`);
    }
    const count = (name: string) => found.filter(([n]) => n === name).length;
    assert.equal(count('script'), 1, 'only the report script');
    assert.equal(count('style'), 1, 'only the report stylesheet');
    assert.equal(count('/style'), 1, 'the stylesheet is closed once');
    assert.equal(count('img'), 0);
    assert.ok(!html.includes('<img'), 'no image tag anywhere, even inside style or script');
    assert.equal(html.match(/<\/script/gi)?.length, 1, 'no script end but the real one');
    // Escaped, the value is there as text, once per place it was put.
    const shown = escapeHtml(EVIL);
    assert.ok(html.includes(`&lt;/style&gt;&lt;script&gt;alert(2)&lt;/script&gt;`));
    assert.ok(html.includes(`&quot; onmouseover=&quot;alert(4)&quot; &#39; onfocus=&#39;alert(5)&#39;`));
    assert.ok(html.split(shown).length - 1 >= 15, 'every hostile field is shown escaped');
    assert.match(html, /<title>cavas scan: evil\|pkg &lt;script&gt;/);
  });

  test('self-contained: nothing to fetch, only advisory links, a CSP that allows only its own script', () => {
    const html = renderHtml(fullResult());
    assert.doesNotMatch(html, /\ssrc\s*=/i, 'no src attribute');
    assert.doesNotMatch(html, /<link\b/i, 'no link elements');
    assert.doesNotMatch(html, /url\(|@import/i, 'the stylesheet loads nothing');
    const hrefs = [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]!);
    assert.ok(hrefs.length > 0);
    for (const href of hrefs) assert.match(href, /^https:\/\/(nvd\.nist\.gov\/vuln\/detail\/|security-tracker\.debian\.org\/tracker\/|github\.com\/advisories\/|osv\.dev\/vulnerability\/)[A-Za-z0-9-]+$/);
    assert.equal(hrefs.length, [...html.matchAll(/<a href="/g)].length, 'links only in <a>');

    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(meta, 'CSP meta tag');
    const csp = meta[1]!.replace(/&#39;/g, "'");
    assert.equal(csp, HTML_CSP);
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /style-src 'unsafe-inline'/);
    assert.match(csp, /img-src data:/);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const hash = createHash('sha256').update(script).digest('base64');
    assert.match(csp, new RegExp(`script-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`), 'the CSP hash is the inline script');
    assert.ok(html.indexOf('http-equiv') < html.indexOf('<style>'), 'CSP comes before anything it governs');
  });

  test('vulnerabilities: worst first, linked ids, KEV badge, unfixed shown', () => {
    const result = fullResult();
    const html = renderHtml(result);
    const vulnRows = rows(html, 'vulnerabilities');
    const sorted = [...result.findings].filter((f): f is VulnerabilityFinding => f.kind === 'vulnerability').sort(compareFindings);
    assert.equal(vulnRows.length, sorted.length);
    sorted.forEach((f, i) => {
      assert.ok(vulnRows[i]!.includes(`<code>${f.package.name}</code>`), `row ${i} is ${f.package.name}`);
      assert.ok(vulnRows[i]!.includes(`data-sev="${f.severity}"`));
    });
    const libc = vulnRows.find((r) => r.includes('libc6'))!;
    assert.ok(libc.includes('<a href="https://nvd.nist.gov/vuln/detail/CVE-2023-4911"'));
    assert.match(libc, /class="badge kev"[^>]*>KEV</);
    assert.equal(vulnRows.filter((r) => r.includes('>KEV<')).length, 1, 'only the KEV finding has the badge');
    assert.match(vulnRows.find((r) => r.includes('zlib1g'))!, />unfixed</);
  });

  test('rule findings: location, message, remediation; secret match; warnings and errors last', () => {
    const result = { ...fullResult(), errors: ['clamd unreachable'] };
    const html = renderHtml(result);
    const secret = rows(html, 'secrets');
    assert.equal(secret.length, 1);
    assert.ok(secret[0]!.includes('<code>/app/config/ci.env:7 (layer 7)</code>'));
    assert.ok(secret[0]!.includes('<code>ghp_****</code>'));
    assert.ok(secret[0]!.includes('Revoke the token and pass it at run time.'));
    assert.ok(rows(html, 'malware')[0]!.includes('<code>/tmp/eicar.zip!eicar.com (layer 3)</code>'));
    assert.ok(rows(html, 'configuration')[0]!.includes('<code>config.User</code>'));
    const at = (s: string) => html.indexOf(s);
    assert.ok(at('<section id="malware"') < at('<section id="errors"'));
    assert.ok(at('<section id="errors"') < at('<section id="warnings"'));
    assert.ok(html.includes('<li>clamd unreachable</li>'));
    assert.ok(html.includes('is not owned by any package; Java archives are not scanned</li>'));
    // Summary counts by severity and kind.
    assert.match(html, /<span class="n">7<\/span><span class="l">Findings<\/span>/);
    assert.match(html, /<span class="n">1<\/span><span class="l">Malware<\/span>/);
    assert.match(html, /<span class="n">3<\/span><span class="l">Fixable vulnerabilities<\/span>/);
  });

  test('empty result: every scanned kind says none, no tables, no filter controls', () => {
    const result: ScanResult = { ...fullResult(), findings: [], warnings: [] };
    const html = renderHtml(result);
    assert.ok(html.includes('<p class="muted">No findings.</p>'));
    for (const none of ['No vulnerabilities found.', 'No configuration defects found.', 'No secrets found.', 'No malware found.']) {
      assert.ok(html.includes(none), none);
    }
    assert.ok(!html.includes('<table'));
    assert.ok(!html.includes('id="controls"'));
    assert.ok(!html.includes('id="warnings"'));
    assert.match(html, /<span class="n">0<\/span><span class="l">Findings<\/span>/);
    tags(html);
  });

  test('a v1 result (no scanners) shows only vulnerabilities', () => {
    const { scanners: _scanners, ...v1 } = sampleResult();
    const html = renderHtml(v1);
    assert.ok(html.includes('<section id="vulnerabilities"'));
    assert.ok(!html.includes('<section id="secrets"'));
    assert.equal(rows(html, 'vulnerabilities').length, 4);
  });
});
