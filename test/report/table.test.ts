import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanResult } from '../../src/types.js';
import { tableReporter } from '../../src/report/table.js';
import { sampleResult } from './fixtures/sample-result.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[/;

/** The table body lines (those between the vertical borders), split into trimmed cells. */
function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('│'))
    .map((l) => l.split('│').slice(1, -1).map((c) => c.trim()));
}

describe('table reporter', () => {
  const plain = tableReporter.render(sampleResult(), { color: false });

  test('header names the image, the OS and the package count', () => {
    assert.equal(
      plain.split('\n')[0],
      'Image: docker-archive:legacy-app.docker.tar.gz  OS: Debian GNU/Linux 12 (bookworm)  Packages: 4',
    );
  });

  test('rows are sorted by severity, then package, then id', () => {
    const [head, ...body] = rows(plain);
    assert.deepEqual(head, ['Package', 'Installed', 'Fixed', 'Severity', 'ID', 'Title', 'Layer']);
    assert.deepEqual(
      body.map((r) => [r[0], r[3], r[4]]),
      [
        ['zlib1g', 'CRITICAL', 'CVE-2023-45853'],
        ['libc6', 'HIGH', 'CVE-2023-4911 KEV'],
        ['libssl3', 'MEDIUM', 'CVE-2024-6119'],
        ['openssl', 'MEDIUM', 'CVE-2024-6119'],
      ],
    );
  });

  test('ids of one package and severity sort numerically', () => {
    const r = sampleResult();
    const base = r.findings.find((f) => f.id === 'CVE-2023-4911');
    assert.ok(base);
    r.findings = [
      { ...base, id: 'CVE-2023-45853', kev: false },
      { ...base, id: 'CVE-2023-4911', kev: false },
    ];
    const ids = rows(tableReporter.render(r, { color: false }))
      .slice(1)
      .map((row) => row[4]);
    assert.deepEqual(ids, ['CVE-2023-4911', 'CVE-2023-45853']);
  });

  test('fixed column shows the fix or "unfixed", layer column the layer index', () => {
    const body = rows(plain).slice(1);
    const zlib = body.find((r) => r[0] === 'zlib1g');
    const libc = body.find((r) => r[0] === 'libc6');
    assert.deepEqual([zlib?.[1], zlib?.[2], zlib?.[6]], ['1:1.2.13.dfsg-1', 'unfixed', '0']);
    assert.deepEqual([libc?.[1], libc?.[2], libc?.[6]], ['2.36-9+deb12u1', '2.36-9+deb12u3', '0']);
    assert.equal(body.find((r) => r[0] === 'openssl')?.[6], '1');
  });

  test('long titles are cut to 60 characters with an ellipsis', () => {
    const title = rows(plain).find((r) => r[0] === 'zlib1g')?.[5] ?? '';
    assert.equal(Array.from(title).length, 60);
    assert.ok(title.startsWith('MiniZip in zlib through 1.3 has an integer overflow'));
    assert.ok(title.endsWith('…'));
    // Short titles are left alone.
    assert.equal(rows(plain).find((r) => r[0] === 'libssl3')?.[5], 'openssl: possible denial of service in X.509 name checks');
  });

  test('summary line counts every severity and the fixable findings', () => {
    assert.match(plain, /^Total: 4 \(CRITICAL: 1, HIGH: 1, MEDIUM: 2, LOW: 0, NEGLIGIBLE: 0, UNKNOWN: 0\), fixable: 3$/m);
  });

  test('warnings are listed at the end', () => {
    const lines = plain.trimEnd().split('\n');
    assert.deepEqual(lines.slice(-2), [
      'Warnings (1):',
      '  - layer 2: /app/vendor/legacy.jar is not owned by any package; Java archives are not scanned',
    ]);
  });

  test('no ANSI codes without colour; severity and KEV coloured with it', () => {
    assert.doesNotMatch(plain, ANSI);
    const coloured = tableReporter.render(sampleResult(), { color: true });
    assert.ok(coloured.includes('\x1b[1;31mCRITICAL\x1b[0m'));
    assert.ok(coloured.includes('\x1b[33mMEDIUM\x1b[0m'));
    assert.ok(coloured.includes('KEV\x1b[0m'));
    // Colour changes nothing but the escape codes.
    // eslint-disable-next-line no-control-regex
    assert.equal(coloured.replace(/\x1b\[[0-9;]*m/g, ''), plain);
  });

  test('escape sequences from image or feed data never reach the terminal', () => {
    const r = sampleResult();
    const f = r.findings[0];
    assert.ok(f);
    f.title = 'evil\x1b]0;pwned\x07title';
    f.package.name = 'pkg\x1b[2Jname';
    r.warnings = ['bad\x1b[31m warning'];
    const out = tableReporter.render(r, { color: false });
    assert.doesNotMatch(out, ANSI);
    assert.ok(!out.includes('\x07'));
    assert.ok(out.includes('pkg [2Jname'));
  });

  test('no findings: says so plainly, no table', () => {
    const r = sampleResult();
    r.findings = [];
    r.warnings = [];
    const out = tableReporter.render(r, { color: false });
    assert.equal(
      out,
      'Image: docker-archive:legacy-app.docker.tar.gz  OS: Debian GNU/Linux 12 (bookworm)  Packages: 4\n\nNo vulnerabilities found.\n',
    );
  });

  test('config, secret and malware findings get a section each, with where they are', () => {
    const r: ScanResult = { ...sampleResult(), scanners: ['vuln', 'config', 'secret', 'malware'] };
    const base = { title: 't', remediation: 'r', references: [] };
    r.findings = [
      ...r.findings,
      { kind: 'secret', ruleId: 'secret/private-key', severity: 'CRITICAL', message: 'RSA private key MIIE**** in this file', path: 'root/.ssh/id_rsa', layer: 7, line: 1, removedInLayer: 9, match: 'MIIE****', ...base },
      { kind: 'config', ruleId: 'config/root-user', severity: 'MEDIUM', message: 'No USER is set', field: 'config.User', ...base },
    ];
    const out = tableReporter.render(r, { color: false });
    assert.match(out, /^Vulnerabilities$/m);
    assert.match(out, /^Configuration$[^]*config\/root-user[^]*config\.User/m);
    assert.match(out, /^Secrets$[^]*\/root\/\.ssh\/id_rsa:1 \(layer 7\) removed in layer 9, still in the image/m);
    assert.match(out, /^Malware\nNo malware found\.$/m);
    assert.match(out, /^Total: 6 \(CRITICAL: 2, HIGH: 1, MEDIUM: 3,/m);
  });

  test('without a detected OS the header says unknown', () => {
    const r = sampleResult();
    delete r.inventory.os;
    assert.match(tableReporter.render(r, { color: false }), /^Image: .* {2}OS: unknown {2}Packages: 4$/m);
  });
});
