/** Hand-written SBOMs in the styles of other tools (test/sbom/fixtures) and a cavas result to round-trip. */
import { readFileSync } from 'node:fs';
import type { Package, ScanResult } from '../../src/types.js';
import { sampleResult } from '../report/fixtures/sample-result.js';

const DIR = new URL('../../../test/sbom/fixtures/', import.meta.url);

export function fixturePath(name: string): string {
  return new URL(name, DIR).pathname;
}

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

/**
 * The reporters' sample Debian image plus language packages that exercise what a purl
 * spells differently from cavas (Go's "v", PyPI's normalised name, maven group:artifact,
 * npm scopes) and what only cavas' properties carry (owner, dev, several files).
 */
export function richResult(): ScanResult {
  const r = sampleResult() as ScanResult;
  r.inventory.os = { id: 'debian', version: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)', idLike: ['ubuntu'] };
  const extra: Package[] = [
    { ecosystem: 'go', name: 'stdlib', version: '1.19.8', purl: 'pkg:golang/stdlib@v1.19.8', layer: 2, paths: ['usr/bin/fzf'], ownedBy: 'fzf' },
    { ecosystem: 'go', name: 'golang.org/x/net', version: '0.7.0', purl: 'pkg:golang/golang.org/x/net@v0.7.0', layer: 2, paths: ['usr/bin/fzf'] },
    { ecosystem: 'pypi', name: 'PyYAML', version: '6.0', purl: 'pkg:pypi/pyyaml@6.0', layer: 2, paths: ['usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA'], license: 'MIT' },
    { ecosystem: 'maven', name: 'org.yaml:snakeyaml', version: '1.33', purl: 'pkg:maven/org.yaml/snakeyaml@1.33', layer: 1, paths: ['usr/share/java/snakeyaml.jar'], ownedBy: 'libyaml-snake-java' },
    { ecosystem: 'maven', name: 'org.yaml:snakeyaml', version: '1.33', purl: 'pkg:maven/org.yaml/snakeyaml@1.33', layer: 2, paths: ['app/lib/snakeyaml-1.33.jar', 'app/app.war!WEB-INF/lib/snakeyaml-1.33.jar'] },
    { ecosystem: 'npm', name: '@babel/core', version: '7.22.0', purl: 'pkg:npm/%40babel/core@7.22.0', layer: 2, paths: ['app/package-lock.json'], dev: true },
    { ecosystem: 'npm', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', layer: 2, paths: ['app/package-lock.json'], dev: false },
  ];
  r.inventory.packages.push(...extra);
  return r;
}
