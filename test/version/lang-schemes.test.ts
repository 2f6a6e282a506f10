import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { compareVersions } from '../../src/version/index.js';

const sign = (n: number) => Math.sign(n) || 0;

function check(eco: string, cases: Array<[string, string, number]>): void {
  for (const [a, b, want] of cases) {
    assert.equal(sign(compareVersions(eco, a, b)), want, `${eco}: ${a} vs ${b}`);
    assert.equal(sign(compareVersions(eco, b, a)), want === 0 ? 0 : -want, `${eco}: ${b} vs ${a} (antisymmetry)`);
  }
}

describe('language version schemes', () => {
  it('maven (ComparableVersion rules)', () => {
    check('maven', [
      ['1', '1.0', 0], ['1.0', '1.0.0', 0], ['1.0.0.final', '1', 0], ['1-ga', '1', 0], ['1.0-release', '1', 0],
      ['1.0-alpha1', '1.0', -1], ['1.0a1', '1.0', -1], ['1.0-alpha-1', '1.0-beta', -1], ['1.0-beta', '1.0-milestone', -1],
      ['1.0-m1', '1.0-rc1', -1], ['1.0-cr1', '1.0-rc1', 0], ['1.0-rc', '1.0-snapshot', -1], ['1.0-snapshot', '1.0', -1],
      ['1.0', '1.0-sp1', -1], ['1.0-sp', '1.0-xyz', -1], ['1.0-abc', '1.0-xyz', -1], ['1.0.1', '1.0-xyz', 1],
      ['2.14.0', '2.14.0.1', -1], ['2.13.4.2', '2.14.0', -1], ['1.33', '2.0', -1], ['1-1', '1.1', -1], ['1.2', '1.10', -1],
    ]);
  });
  it('go (OSV, go.mod and toolchain forms; pseudo-versions; +incompatible)', () => {
    check('go', [
      ['go1.19.8', '1.19.9', -1], ['v1.19.8', '1.19.8', 0], ['1.19.8', '1.16.0-0', 1], ['1.16.0-0', '1.16.0', -1],
      ['v0.0.0-20210101000000-abcdef123456', 'v0.0.0-20220101000000-abcdef123456', -1], ['v0.0.0-20210101000000-abcdef123456', 'v0.1.0', -1],
      ['v2.0.0+incompatible', 'v2.0.0', 0], ['go1.21', '1.21.0', 0], ['go1.21rc2', '1.21.0', -1], ['go1.21rc2', 'go1.21rc10', -1],
    ]);
  });
  it('npm and cargo (semver)', () => {
    check('npm', [['4.17.15', '4.17.21', -1], ['1.0.0-alpha', '1.0.0', -1], ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1], ['v1.2.3', '1.2.3', 0], ['1.0.0+build', '1.0.0', 0]]);
    check('cargo', [['0.9.0', '0.10.0', -1], ['1.0.0-rc.1', '1.0.0', -1]]);
  });
  it('pypi agrees with the packaging reference implementation', () => {
    const versions = ['1.0.dev1', '1.0a1', '1.0a2.dev1', '1.0b1', '1.0rc1', '1.0', '1.0.post1', '1.0.post1.dev2', '1!0.5', '1.0+local.1', '1.0.1', '2.0', '0.9', '1.0c1', '1.1.dev0'];
    const pairs = versions.flatMap((a) => versions.map((b) => [a, b] as const));
    const script = `
import json, sys
try:
    from packaging.version import Version
except ImportError:
    from pip._vendor.packaging.version import Version
pairs = json.load(sys.stdin)
print(json.dumps([(Version(a) > Version(b)) - (Version(a) < Version(b)) for a, b in pairs]))`;
    const want = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(pairs), encoding: 'utf8' })) as number[];
    pairs.forEach(([a, b], i) => assert.equal(sign(compareVersions('pypi', a, b)), want[i], `pypi: ${a} vs ${b}`));
  });
});
