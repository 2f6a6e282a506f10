import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigFinding, ScanResult, VulnerabilityFinding } from '../../src/types.js';
import { GITHUB_COMMENT_LIMIT, markdownReporter, mdCode, mdText, renderMarkdown } from '../../src/report/markdown.js';
import { sampleResult } from './fixtures/sample-result.js';
import { EICAR, GITHUB_PAT, HOSTILE, ROOT_USER, fullResult } from './fixtures/rule-findings.js';

const OPTS = { color: false };

/** GFM table cells: split on pipes a backslash does not escape (as cmark-gfm does). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += c + line[i + 1];
      i++;
    } else if (c === '|') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out.slice(1, -1);
}

/** What a reader sees of one cell: code spans, <code>, backslash escapes and entities undone. */
function shown(cell: string): string {
  const code = /^`(.*)`$/.exec(cell) ?? /^<code>(.*)<\/code>$/.exec(cell);
  const inner = code ? code[1]! : cell.replace(/\\(.)/g, '$1');
  return inner
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\u200b/g, '');
}

/** The table rows of the section titled `title` (header and delimiter rows left out). */
function sectionRows(md: string, title: string): string[][] {
  const start = md.indexOf(`### ${title} (`);
  assert.ok(start >= 0, `no ${title} section`);
  const rest = md.slice(start).split('\n').slice(1);
  const end = rest.findIndex((l) => l.startsWith('### '));
  return (end < 0 ? rest : rest.slice(0, end)).filter((l) => l.startsWith('| ')).slice(2).map(cells);
}

function vuln(name: string, i: number, severity: VulnerabilityFinding['severity'] = 'HIGH'): VulnerabilityFinding {
  return {
    kind: 'vulnerability',
    id: `CVE-2024-${10000 + i}`,
    aliases: [],
    severity,
    package: { name, version: '1.0', ecosystem: 'npm', purl: `pkg:npm/${encodeURIComponent(name)}@1.0` },
    installedVersion: '1.0',
    fixedVersion: i % 2 === 0 ? '1.1' : 'unfixed',
    status: i % 2 === 0 ? 'fixed' : 'unfixed',
    kev: false,
    sources: ['osv'],
    layer: 0,
  };
}

function withVulns(n: number, name = (i: number) => `pkg-${String(i).padStart(5, '0')}`): ScanResult {
  const base = sampleResult();
  return { ...base, findings: Array.from({ length: n }, (_, i) => vuln(name(i), i)) };
}

describe('markdown reporter', () => {
  const md = markdownReporter.render(sampleResult(), OPTS);

  test('is registered under the name markdown', () => {
    assert.equal(markdownReporter.name, 'markdown');
  });

  test('heading names the image and the OS', () => {
    const lines = md.split('\n');
    assert.equal(lines[0], '## cavas scan: `docker-archive:legacy-app.docker.tar.gz`');
    assert.match(lines[2]!, /^\*\*OS:\*\* Debian GNU\/Linux 12 \(bookworm\) · \*\*Packages:\*\* 4$/);
  });

  test('summary table counts findings by severity and kind, and the fixable ones', () => {
    const full = markdownReporter.render(fullResult(), OPTS);
    const lines = full.split('\n');
    const head = lines.findIndex((l) => l.startsWith('| Severity | Vulnerabilities'));
    assert.deepEqual(cells(lines[head]!), ['Severity', 'Vulnerabilities', 'Config', 'Secrets', 'Malware', 'Total']);
    const rows = lines.slice(head + 2, head + 9).map(cells);
    assert.deepEqual(rows, [
      ['CRITICAL', '1', '0', '0', '1', '2'],
      ['HIGH', '1', '0', '1', '0', '2'],
      ['MEDIUM', '2', '1', '0', '0', '3'],
      ['LOW', '0', '0', '0', '0', '0'],
      ['NEGLIGIBLE', '0', '0', '0', '0', '0'],
      ['UNKNOWN', '0', '0', '0', '0', '0'],
      ['**Total**', '**4**', '**1**', '**1**', '**1**', '**7**'],
    ]);
    assert.ok(full.includes('Fixable vulnerabilities: **3**'));
  });

  test('vulnerability rows are sorted, ids link to their advisory, KEV is marked, unfixed said', () => {
    assert.deepEqual(sectionRows(md, 'Vulnerabilities'), [
      ['`zlib1g`', '`1:1.2.13.dfsg-1`', 'unfixed', 'CRITICAL', '[CVE-2023-45853](https://nvd.nist.gov/vuln/detail/CVE-2023-45853)', '0'],
      ['`libc6`', '`2.36-9+deb12u1`', '`2.36-9+deb12u3`', 'HIGH', '[CVE-2023-4911](https://nvd.nist.gov/vuln/detail/CVE-2023-4911) **KEV**', '0'],
      ['`libssl3`', '`3.0.11-1~deb12u1`', '`3.0.14-1~deb12u2`', 'MEDIUM', '[CVE-2024-6119](https://nvd.nist.gov/vuln/detail/CVE-2024-6119)', '1'],
      ['`openssl`', '`3.0.11-1~deb12u1`', '`3.0.14-1~deb12u2`', 'MEDIUM', '[CVE-2024-6119](https://nvd.nist.gov/vuln/detail/CVE-2024-6119)', '1'],
    ]);
  });

  test('config, secret and malware sections show severity, rule, where and message', () => {
    const full = markdownReporter.render(fullResult(), OPTS);
    assert.deepEqual(sectionRows(full, 'Configuration'), [
      ['MEDIUM', '`config/root-user`', '`config.User`', 'No USER instruction: the container runs as root'],
    ]);
    assert.deepEqual(sectionRows(full, 'Secrets'), [
      ['HIGH', '`secret/github-pat`', '`/app/config/ci.env:7 (layer 7)`', 'GitHub personal access token ghp\\_\\*\\*\\*\\* in this file', '`ghp_****`'],
    ]);
    assert.deepEqual(sectionRows(full, 'Malware').map((r) => r.map(shown)), [
      ['CRITICAL', 'malware/eicar', '/tmp/eicar.zip!eicar.com (layer 3)', 'EICAR anti-virus test file'],
    ]);
  });

  test('sections only for the kinds scanned; empty ones say so', () => {
    assert.ok(!md.includes('### Secrets'), 'vuln-only result has no secrets section');
    const empty = markdownReporter.render({ ...sampleResult(), findings: [], scanners: ['vuln', 'secret'] }, OPTS);
    assert.ok(empty.includes('\nNo findings.\n'));
    assert.ok(empty.includes('### Vulnerabilities (0)\n\nNo vulnerabilities found.'));
    assert.ok(empty.includes('### Secrets (0)\n\nNo secrets found.'));
    assert.ok(!empty.includes('### Malware'));
  });

  test('warnings and errors are listed at the end, escaped', () => {
    const r = { ...sampleResult(), errors: ['clamd <unreachable> at tcp://127.0.0.1:3310'] };
    const out = markdownReporter.render(r, OPTS);
    const tail = out.slice(out.indexOf('### Errors'));
    assert.ok(tail.includes('- clamd &lt;unreachable&gt; at tcp://127.0.0.1:3310'));
    assert.ok(tail.includes('### Warnings (1)\n\n- layer 2: /app/vendor/legacy.jar is not owned by any package; Java archives are not scanned'));
    assert.ok(out.indexOf('### Vulnerabilities') < out.indexOf('### Errors'));
  });

  test('hostile values cannot break the table, inject HTML or mention anyone', () => {
    const base = sampleResult();
    const hostileVuln = { ...vuln(HOSTILE, 0), installedVersion: 'a\\|b', fixedVersion: '``2``' };
    const hostileRule: ConfigFinding = { ...ROOT_USER, ruleId: HOSTILE, message: HOSTILE, field: undefined, path: `x|y\n<b>`, line: 3 };
    const r: ScanResult = { ...base, scanners: ['vuln', 'config'], findings: [hostileVuln, hostileRule], warnings: [HOSTILE] };
    const out = markdownReporter.render(r, OPTS);
    assert.ok(!/<script|<\/script|<b>/i.test(out), 'no raw HTML from the image');
    assert.ok(!out.includes('@octocat'), 'no @-mention');
    // eslint-disable-next-line no-control-regex
    assert.ok(!/\u0001|\u001b/.test(out), 'no control characters');
    const [vrow] = sectionRows(out, 'Vulnerabilities');
    assert.equal(vrow!.length, 6, 'the row keeps its six cells');
    // eslint-disable-next-line no-control-regex
    const flat = (s: string) => s.replace(/[\u0000-\u001f]+/g, ' ').trim();
    assert.equal(shown(vrow![0]!), flat(HOSTILE));
    assert.equal(shown(vrow![1]!), 'a\\|b');
    assert.equal(shown(vrow![2]!), '``2``');
    const [crow] = sectionRows(out, 'Configuration');
    assert.equal(crow!.length, 4);
    assert.equal(shown(crow![1]!), flat(HOSTILE));
    assert.equal(shown(crow![2]!), '/x|y <b>:3');
    assert.equal(shown(crow![3]!), flat(HOSTILE));
    assert.ok(out.includes(`- ${mdText(HOSTILE)}`));
    // Every table line is one line with a pipe at each end: the newline did not split a row.
    for (const l of out.split('\n').filter((x) => x.startsWith('|'))) assert.ok(l.endsWith('|'), l);
  });

  test('mdCode and mdText keep what they are given readable and inert', () => {
    assert.equal(mdCode('libssl3'), '`libssl3`');
    assert.equal(mdCode('@types/node'), '`@types/node`');
    assert.equal(mdCode('a|b'), '<code>a&#124;b</code>');
    assert.equal(mdCode(''), '');
    assert.equal(mdText('a_b*c'), 'a\\_b\\*c');
    assert.equal(mdText('see @types/node'), 'see @\u200btypes/node');
  });

  test('more than 20 rows are collapsed in <details>; 20 are not', () => {
    const twenty = markdownReporter.render(withVulns(20), OPTS);
    assert.ok(!twenty.includes('<details>'));
    assert.equal(sectionRows(twenty, 'Vulnerabilities').length, 20);
    const many = markdownReporter.render(withVulns(21), OPTS);
    assert.ok(many.includes('### Vulnerabilities (21)\n\n<details>\n<summary>Show 21 findings</summary>\n\n| Package |'));
    assert.ok(many.trimEnd().endsWith('</details>\n\n### Warnings (1)\n\n- layer 2: /app/vendor/legacy.jar is not owned by any package; Java archives are not scanned'));
    assert.equal(sectionRows(many, 'Vulnerabilities').length, 21);
  });

  test('a section shows at most 200 rows, then says how many more', () => {
    const out = markdownReporter.render(withVulns(250), OPTS);
    assert.equal(sectionRows(out, 'Vulnerabilities').length, 200);
    assert.ok(out.includes('\n…and 50 more not shown.\n'));
    assert.ok(!out.includes('shortened'), 'no size truncation needed');
  });

  test('stays under the GitHub comment limit, and says it truncated', () => {
    // Long names make each row ~1 KB: 4 sections of 200 rows would be ~800 KB.
    const long = (i: number) => `pkg-${i}-${'x'.repeat(190)}`;
    const base = withVulns(300, long);
    const rules = Array.from({ length: 300 }, (_, i) => ({ ...EICAR, path: `${long(i)}/${'y'.repeat(190)}`, message: 'm'.repeat(300) }));
    const secrets = Array.from({ length: 300 }, (_, i) => ({ ...GITHUB_PAT, path: `${long(i)}/ci.env` }));
    const r: ScanResult = { ...base, scanners: ['vuln', 'secret', 'malware'], findings: [...base.findings, ...rules, ...secrets] };
    const out = markdownReporter.render(r, OPTS);
    assert.ok(out.length <= GITHUB_COMMENT_LIMIT, `${out.length} characters`);
    assert.ok(out.length > GITHUB_COMMENT_LIMIT / 2, 'uses the room it has');
    const m = /this report was shortened to fit GitHub's comment size limit: at most (\d+) rows per section are shown/.exec(out);
    assert.ok(m, 'says it was shortened');
    const cap = Number(m[1]);
    assert.ok(cap > 0 && cap < 200);
    for (const title of ['Vulnerabilities', 'Secrets', 'Malware']) {
      assert.equal(sectionRows(out, title).length, cap, title);
      assert.ok(out.includes(`…and ${300 - cap} more not shown.`));
    }
    assert.ok(out.includes('### Vulnerabilities (300)'), 'counts stay true');
  });

  test('a tighter limit is honoured as well, and huge warning lists are cut', () => {
    const r = { ...withVulns(100), warnings: Array.from({ length: 5000 }, (_, i) => `warning ${i} ${'w'.repeat(400)}`) };
    const out = renderMarkdown(r, 20_000);
    assert.ok(out.length <= 20_000, `${out.length}`);
    assert.ok(out.includes('### Warnings (5000)'));
    assert.match(out, /- …and \d+ more\n$/);
  });
});
