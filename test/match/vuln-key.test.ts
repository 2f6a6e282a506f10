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
