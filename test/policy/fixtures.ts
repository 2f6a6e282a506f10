import type { SecretFinding, VulnerabilityFinding } from '../../src/types.js';

export const ZLIB_PURL = 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12';

/** CVE-2023-45853 (minizip overflow) as cavas reports it on debian:12. */
export function zlibFinding(over: Partial<VulnerabilityFinding> = {}): VulnerabilityFinding {
  return {
    kind: 'vulnerability',
    id: 'CVE-2023-45853',
    aliases: ['DEBIAN-CVE-2023-45853'],
    severity: 'CRITICAL',
    package: { name: 'zlib1g', version: '1:1.2.13.dfsg-1', ecosystem: 'deb', purl: ZLIB_PURL, source: { name: 'zlib', version: '1:1.2.13.dfsg-1' } },
    installedVersion: '1:1.2.13.dfsg-1',
    fixedVersion: 'unfixed',
    status: 'unfixed',
    kev: false,
    sources: ['debian'],
    layer: 0,
    ...over,
  };
}

/** CVE-2023-5678 on openssl, fixed by DSA-5532-1. */
export function opensslFinding(): VulnerabilityFinding {
  return zlibFinding({
    id: 'CVE-2023-5678',
    aliases: ['DSA-5532-1', 'DEBIAN-CVE-2023-5678'],
    severity: 'MEDIUM',
    package: {
      name: 'libssl3', version: '3.0.11-1~deb12u1', ecosystem: 'deb',
      purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12', source: { name: 'openssl', version: '3.0.11-1~deb12u1' },
    },
    installedVersion: '3.0.11-1~deb12u1',
    fixedVersion: '3.0.11-1~deb12u2',
    status: 'fixed',
  });
}

export function npmFinding(): VulnerabilityFinding {
  return zlibFinding({
    id: 'CVE-2022-24999',
    aliases: ['GHSA-hrpp-h998-j3pp'],
    severity: 'HIGH',
    package: { name: 'qs', version: '6.5.2', ecosystem: 'npm', purl: 'pkg:npm/qs@6.5.2' },
    installedVersion: '6.5.2',
    fixedVersion: '6.5.3',
    status: 'fixed',
  });
}

export function keyFinding(path: string): SecretFinding {
  return {
    kind: 'secret',
    ruleId: 'secret/private-key',
    severity: 'HIGH',
    title: 'Private key',
    message: 'RSA private key',
    remediation: 'Remove the key from the image',
    references: [],
    path,
    layer: 2,
    line: 1,
    match: '----****',
  };
}
