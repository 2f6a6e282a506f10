import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupByTarget, targetPath } from '../../src/report/targets.js';
import type { Ecosystem, Package, VulnerabilityFinding } from '../../src/types.js';

const pkg = (ecosystem: Ecosystem, name: string, path: string, layer = 1): Package => ({ ecosystem, name, version: '1.0', purl: `pkg:${ecosystem}/${name}@1.0`, layer, paths: [path] });

function finding(p: Package, id: string): VulnerabilityFinding {
  return { kind: 'vulnerability', id, aliases: [], severity: 'HIGH', package: { name: p.name, version: p.version, ecosystem: p.ecosystem, purl: p.purl }, installedVersion: '1.0', fixedVersion: '2.0', status: 'fixed', kev: false, sources: [], layer: p.layer };
}

describe('targets', () => {
  it('a language package belongs to its application root or artefact', () => {
    assert.equal(targetPath(pkg('npm', 'ms', 'app/node_modules/jsonwebtoken/node_modules/ms/package.json')), 'app');
    assert.equal(targetPath(pkg('npm', 'x', 'node_modules/x/package.json')), '/');
    assert.equal(targetPath(pkg('npm', 'x', 'srv/web/package-lock.json')), 'srv/web/package-lock.json');
    assert.equal(targetPath(pkg('pypi', 'requests', 'usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO')), 'usr/lib/python3/dist-packages');
    assert.equal(targetPath(pkg('maven', 'snakeyaml', 'opt/app/lib/snakeyaml-1.33.jar')), 'opt/app/lib');
    assert.equal(targetPath(pkg('maven', 'inner', 'opt/app.war!WEB-INF/lib/inner.jar')), 'opt');
    assert.equal(targetPath(pkg('go', 'fzf', 'usr/bin/fzf')), 'usr/bin/fzf');
    assert.equal(targetPath(pkg('gem', 'rack', 'usr/lib/ruby/gems/3.1.0/specifications/rack-2.2.gemspec')), 'usr/lib/ruby/gems/3.1.0');
  });

  it('OS packages come first, then targets by path; one purl in two layers is told apart by the layer', () => {
    const os = pkg('deb', 'libc6', 'var/lib/dpkg/status', 0);
    const appJar = pkg('maven', 'jackson', 'opt/app/lib/jackson.jar', 3);
    const osJar = pkg('maven', 'jackson', 'usr/share/java/jackson.jar', 1);
    const npm = pkg('npm', 'ms', 'app/node_modules/ms/package.json', 2);
    const groups = groupByTarget([finding(npm, 'A'), finding(appJar, 'B'), finding(os, 'C'), finding(osJar, 'D')], { os: { id: 'debian', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' }, packages: [osJar, appJar, os, npm] });
    assert.deepEqual(groups.map((g) => [g.title, g.findings.map((f) => f.id)]), [
      ['Debian GNU/Linux 12 (bookworm) (OS packages, dpkg)', ['C']],
      ['app (npm)', ['A']],
      ['opt/app/lib (maven)', ['B']],
      ['usr/share/java (maven)', ['D']],
    ]);
  });
});
