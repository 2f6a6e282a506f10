import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { osFromDistro, osFromPackages } from '../../src/sbom/os.js';
import { packageFromPurl, type PackageFacts } from '../../src/sbom/package.js';
import type { Package } from '../../src/types.js';

function pkg(purl: string, facts: PackageFacts = {}): Package {
  const out = packageFromPurl(purl, facts);
  assert.ok('pkg' in out, `skipped: ${'skipped' in out ? out.skipped : ''}`);
  return out.pkg;
}

describe('packageFromPurl', () => {
  it('spells names and versions as the extractors do', () => {
    assert.deepEqual([pkg('pkg:golang/stdlib@v1.19.8').name, pkg('pkg:golang/stdlib@v1.19.8').version], ['stdlib', '1.19.8']);
    assert.equal(pkg('pkg:golang/golang.org/x/net@v0.7.0').name, 'golang.org/x/net');
    assert.equal(pkg('pkg:maven/org.yaml/snakeyaml@1.33').name, 'org.yaml:snakeyaml');
    assert.equal(pkg('pkg:npm/%40babel/core@7.22.0').name, '@babel/core');
    assert.equal(pkg('pkg:composer/monolog/monolog@2.9.1').name, 'monolog/monolog');
    // an OS purl's namespace is the distribution, not part of the name
    assert.equal(pkg('pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64').name, 'libssl3');
  });

  it('keeps the document\'s spelling of a name the purl normalised', () => {
    assert.equal(pkg('pkg:pypi/pyyaml@6.0', { name: 'PyYAML' }).name, 'PyYAML');
    assert.equal(pkg('pkg:pypi/pyyaml@6.0', { name: 'something-else' }).name, 'pyyaml');
  });

  it('puts an epoch qualifier in front of a Debian or RPM version', () => {
    assert.equal(pkg('pkg:deb/debian/zlib1g@1.2.13.dfsg-1?epoch=1&distro=debian-12').version, '1:1.2.13.dfsg-1');
    assert.equal(pkg('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?epoch=1').version, '1:1.2.13.dfsg-1');
    assert.equal(pkg('pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1').version, '1:3.0.7-24.el9');
    assert.equal(pkg('pkg:rpm/rocky/bash@5.1.8-6.el9?epoch=0').version, '5.1.8-6.el9');
  });

  it('takes the source package from the facts, else the upstream qualifier', () => {
    assert.deepEqual(pkg('pkg:deb/debian/libssl3@3.0.11-1?upstream=openssl').source, { name: 'openssl', version: '3.0.11-1' });
    assert.deepEqual(pkg('pkg:deb/debian/libgcc-s1@12.2.0-14?upstream=gcc-12%4012.2.0-13').source, { name: 'gcc-12', version: '12.2.0-13' });
    assert.deepEqual(pkg('pkg:deb/debian/libssl3@3.0.11-1?upstream=x', { source: { name: 'openssl', version: '3.0.11-1' } }).source, { name: 'openssl', version: '3.0.11-1' });
    assert.equal(pkg('pkg:deb/debian/openssl@3.0.11-1').source, undefined);
    // apk packages always name their origin, as the extractor does
    assert.deepEqual(pkg('pkg:apk/alpine/musl@1.2.3-r3').source, { name: 'musl', version: '1.2.3-r3' });
  });

  it('keeps the purl text as written and the arch qualifier', () => {
    const p = pkg('pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12', { layer: 3, paths: ['var/lib/dpkg/status'], license: 'LGPL-2.1+' });
    assert.equal(p.purl, 'pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12');
    assert.equal(p.arch, 'amd64');
    assert.equal(p.layer, 3);
    assert.deepEqual(p.paths, ['var/lib/dpkg/status']);
    assert.equal(p.license, 'LGPL-2.1+');
  });

  it('says why it skips a purl', () => {
    assert.deepEqual(packageFromPurl('not a purl', {}), { skipped: 'a purl that does not parse' });
    assert.deepEqual(packageFromPurl('pkg:generic/openjdk@17', {}), { skipped: 'purl type "generic" is not an ecosystem cavas matches' });
    assert.deepEqual(packageFromPurl('pkg:npm/left-pad', {}), { skipped: 'no version' });
    assert.equal((packageFromPurl('pkg:npm/left-pad', { version: '1.3.0' }) as { pkg: Package }).pkg.version, '1.3.0');
  });
});

describe('OS from distro qualifiers', () => {
  it('reads id-version, bare releases (Trivy) and codenames', () => {
    assert.deepEqual(osFromDistro('debian-12', 'debian'), { id: 'debian', version: '12' });
    assert.deepEqual(osFromDistro('alpine-3.16.9', 'alpine'), { id: 'alpine', version: '3.16.9' });
    assert.deepEqual(osFromDistro('3.16.9', 'alpine'), { id: 'alpine', version: '3.16.9' });
    assert.deepEqual(osFromDistro('debian-bookworm', 'debian'), { id: 'debian', version: '', codename: 'bookworm' });
    assert.deepEqual(osFromDistro('opensuse-leap-15.5', 'opensuse'), { id: 'opensuse-leap', version: '15.5' });
    assert.deepEqual(osFromDistro('redhat-9.2', 'redhat'), { id: 'rhel', version: '9.2' });
  });

  it('the release most OS packages name wins; language packages do not vote', () => {
    const p = (purl: string): Package => pkg(purl);
    const os = osFromPackages([
      p('pkg:deb/debian/a@1?distro=debian-12'),
      p('pkg:deb/debian/b@1?distro=debian-12'),
      p('pkg:deb/debian/c@1?distro=debian-11'),
      p('pkg:npm/d@1?distro=debian-10'),
    ]);
    assert.deepEqual(os, { id: 'debian', version: '12' });
    assert.equal(osFromPackages([p('pkg:npm/d@1')]), undefined);
  });
});
