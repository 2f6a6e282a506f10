import assert from 'node:assert/strict';
import { it } from 'node:test';
import { vulnerabilityKeys } from '../../src/match/vuln-key.js';

it('vulnerability keys merge DEBIAN-CVE, DSA and GHSA onto their CVEs', () => {
  assert.deepEqual(vulnerabilityKeys('CVE-2023-4911', []), ['CVE-2023-4911']);
  assert.deepEqual(vulnerabilityKeys('DEBIAN-CVE-2023-4911', ['CVE-2023-4911']), ['CVE-2023-4911']);
  assert.deepEqual(vulnerabilityKeys('DSA-5759-1', ['CVE-2024-0397', 'CVE-2024-4032', 'DEBIAN-CVE-2024-0397']), ['CVE-2024-0397', 'CVE-2024-4032']);
  assert.deepEqual(vulnerabilityKeys('GHSA-xxxx-yyyy-zzzz', []), ['GHSA-xxxx-yyyy-zzzz']);
  assert.deepEqual(vulnerabilityKeys('TEMP-0000000-ABCDEF', []), ['TEMP-0000000-ABCDEF']);
});

it('a GHSA with two CVE ids for one flaw stays one vulnerability, keyed by the lowest CVE', () => {
  assert.deepEqual(vulnerabilityKeys('GHSA-35jh-r3h4-6jhm', ['CVE-2026-4800', 'CVE-2021-23337', 'GHSA-r5fr-rjxr-66jc']), ['CVE-2021-23337']);
});
