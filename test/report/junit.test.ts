import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanResult, SecretFinding, VulnerabilityFinding } from '../../src/types.js';
import { junitReporter, xmlAttr, xmlText } from '../../src/report/junit.js';
import { sampleResult } from './fixtures/sample-result.js';
import { GITHUB_PAT, HOSTILE, fullResult } from './fixtures/rule-findings.js';
import { all, parseXml, type XmlElement } from './fixtures/xml.js';

const OPTS = { color: false };

function render(r: ScanResult): XmlElement {
  return parseXml(junitReporter.render(r, OPTS));
}

function suite(root: XmlElement, name: string): XmlElement {
  const s = root.children.find((c) => c.tag === 'testsuite' && c.attrs.name === name);
  assert.ok(s, `no testsuite ${name}`);
  return s;
}

/** Counts checked against the elements actually present. */
function assertCounts(root: XmlElement): void {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const s of all(root, 'testsuite')) {
    const cases = all(s, 'testcase');
    const f = cases.filter((c) => c.children.some((x) => x.tag === 'failure')).length;
    const e = cases.filter((c) => c.children.some((x) => x.tag === 'error')).length;
    assert.equal(s.attrs.tests, String(cases.length), `${s.attrs.name} tests`);
    assert.equal(s.attrs.failures, String(f), `${s.attrs.name} failures`);
    assert.equal(s.attrs.errors, String(e), `${s.attrs.name} errors`);
    tests += cases.length;
    failures += f;
    errors += e;
  }
  assert.equal(root.attrs.tests, String(tests));
  assert.equal(root.attrs.failures, String(failures));
  assert.equal(root.attrs.errors, String(errors));
}

describe('junit reporter', () => {
  test('is registered under the name junit and starts with an XML declaration', () => {
    assert.equal(junitReporter.name, 'junit');
    assert.ok(junitReporter.render(sampleResult(), OPTS).startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites '));
  });

  test('a vuln-only result (no scanners field) has one vulnerabilities suite, one failure per finding', () => {
    const root = render(sampleResult());
    assert.equal(root.tag, 'testsuites');
    assert.deepEqual(root.children.map((c) => c.attrs.name), ['vulnerabilities']);
    const cases = all(root, 'testcase');
    assert.deepEqual(
      cases.map((c) => [c.attrs.classname, c.attrs.name, c.children[0]!.attrs.type]),
      [
        ['zlib1g', 'CVE-2023-45853 zlib1g 1:1.2.13.dfsg-1', 'CRITICAL'],
        ['libc6', 'CVE-2023-4911 libc6 2.36-9+deb12u1', 'HIGH'],
        ['libssl3', 'CVE-2024-6119 libssl3 3.0.11-1~deb12u1', 'MEDIUM'],
        ['openssl', 'CVE-2024-6119 openssl 3.0.11-1~deb12u1', 'MEDIUM'],
      ],
    );
    const libc = cases[1]!.children[0]!;
    assert.equal(libc.tag, 'failure');
    assert.equal(libc.attrs.message, "CVE-2023-4911: glibc: buffer overflow in ld.so's GLIBC_TUNABLES handling (Looney Tunables)");
    assert.match(libc.text, /^CVE-2023-4911 in libc6 2\.36-9\+deb12u1 \(deb\): HIGH, fixed in 2\.36-9\+deb12u3\n/);
    assert.match(libc.text, /\nKnown exploited \(CISA KEV\)\n/);
    assert.match(cases[0]!.children[0]!.text, /no fix available/);
    assert.equal(root.attrs.failures, '4');
    assertCounts(root);
  });

  test('every scanned kind is a suite; rule findings name rule and location', () => {
    const root = render(fullResult());
    assert.deepEqual(root.children.map((c) => c.attrs.name), ['vulnerabilities', 'config', 'secrets', 'malware']);
    const secret = all(suite(root, 'secrets'), 'testcase');
    assert.equal(secret.length, 1);
    assert.equal(secret[0]!.attrs.classname, 'secret/github-pat');
    assert.equal(secret[0]!.attrs.name, 'secret/github-pat /app/config/ci.env:7 (layer 7)');
    assert.equal(secret[0]!.children[0]!.attrs.type, 'HIGH');
    assert.match(secret[0]!.children[0]!.text, /\nMatch: ghp_\*\*\*\*\n/);
    const config = all(suite(root, 'config'), 'testcase');
    assert.equal(config[0]!.attrs.name, 'config/root-user config.User');
    const malware = all(suite(root, 'malware'), 'testcase')[0]!;
    assert.equal(malware.attrs.name, 'malware/eicar /tmp/eicar.zip!eicar.com (layer 3)');
    assert.match(malware.children[0]!.text, /\nSignature: EICAR-Test-File \(eicar\)\n/);
    assert.equal(root.attrs.tests, '7');
    assert.equal(root.attrs.failures, '7');
    assertCounts(root);
  });

  test('a scanned kind with no findings gets one passing test case; unscanned kinds no suite', () => {
    const root = render({ ...sampleResult(), scanners: ['vuln', 'secret', 'malware'], findings: [GITHUB_PAT] });
    assert.deepEqual(root.children.map((c) => c.attrs.name), ['vulnerabilities', 'secrets', 'malware']);
    const vulns = suite(root, 'vulnerabilities');
    assert.equal(vulns.attrs.tests, '1');
    assert.equal(vulns.attrs.failures, '0');
    const [pass] = all(vulns, 'testcase');
    assert.equal(pass!.attrs.name, 'no vulnerabilities found');
    assert.deepEqual(pass!.children, []);
    assert.equal(suite(root, 'malware').attrs.failures, '0');
    assert.equal(root.attrs.tests, '3');
    assert.equal(root.attrs.failures, '1');
    assertCounts(root);
  });

  test('scan errors become <error> test cases so an incomplete scan is not green', () => {
    const root = render({ ...sampleResult(), errors: ['clamd unreachable at 127.0.0.1:3310'] });
    const s = suite(root, 'scan');
    assert.equal(s.attrs.errors, '1');
    assert.equal(all(s, 'error')[0]!.attrs.message, 'clamd unreachable at 127.0.0.1:3310');
    assert.equal(root.attrs.errors, '1');
    assertCounts(root);
  });

  test('hostile strings stay well-formed and round-trip, invalid characters replaced', () => {
    const v: VulnerabilityFinding = { ...sampleResult().findings[0]!, title: HOSTILE };
    v.package = { ...v.package, name: HOSTILE };
    const s: SecretFinding = { ...GITHUB_PAT, ruleId: HOSTILE, message: `${HOSTILE}\r\n\ttab`, path: `a]]>b\u0000c\uD800d`, line: undefined };
    const r: ScanResult = { ...sampleResult(), scanners: ['vuln', 'secret'], findings: [v, s], image: { ...sampleResult().image, ref: HOSTILE } };
    const xml = junitReporter.render(r, OPTS);
    assert.ok(!xml.includes(']]>'), 'no CDATA end leaks through');
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml), 'no XML 1.0-invalid control characters');
    const root = parseXml(xml);
    assertCounts(root);
    // eslint-disable-next-line no-control-regex
    const expected = HOSTILE.replace(/[\u0001\u001b]/g, '\uFFFD');
    const vcase = all(suite(root, 'vulnerabilities'), 'testcase')[0]!;
    // Attribute values: newlines became spaces (one line), the rest comes back exactly.
    assert.equal(vcase.attrs.classname, expected.replace('\n', ' '));
    assert.ok(vcase.children[0]!.attrs.message!.includes(expected.replace('\n', ' ')));
    assert.ok(vcase.children[0]!.text.includes(`Title: ${expected}`), 'body keeps the newline');
    const scase = all(suite(root, 'secrets'), 'testcase')[0]!;
    assert.equal(scase.attrs.name, `${expected.replace('\n', ' ')} /a]]>b\uFFFDc\uFFFDd (layer 7)`);
    assert.ok(scase.children[0]!.text.includes(`${expected}\r\n\ttab`), 'CR and tab survive in text');
    assert.equal(root.attrs.name, `cavas ${expected}`, 'newline kept as &#10;');
  });

  test('xmlText and xmlAttr escape what XML needs', () => {
    assert.equal(xmlText('a<b>&c'), 'a&lt;b&gt;&amp;c');
    assert.equal(xmlAttr(`"x'\n`), '&quot;x&apos;&#10;');
    assert.equal(xmlText('\u0007\uFFFE'), '\uFFFD\uFFFD');
    assert.equal(xmlText('😀'), '😀', 'astral characters are kept');
  });
});
