import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { mavenScheme } from '../../src/version/maven.js';
import { CavasError } from '../../src/util/errors.js';
import { assertTotalOrder, chainCases, isInstalled, mismatches, sign, versionsOf, type Case } from './order-check.js';

/** maven-artifact 3.9.x, the release this scheme follows: CAVAS_MAVEN_ARTIFACT_JAR, else the local Maven repository. */
function findMavenArtifactJar(): string | undefined {
  const fromEnv = process.env.CAVAS_MAVEN_ARTIFACT_JAR;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  const dir = path.join(homedir(), '.m2/repository/org/apache/maven/maven-artifact');
  if (!existsSync(dir)) return undefined;
  const release = readdirSync(dir).filter((d) => /^3\.9\.[0-9]+$/.test(d)).sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2])).pop();
  const jar = release && path.join(dir, release, `maven-artifact-${release}.jar`);
  return jar && existsSync(jar) ? jar : undefined;
}

const JAR = findMavenArtifactJar();
const NO_ORACLE = !isInstalled('java') ? 'java is not installed' : !JAR ? 'no maven-artifact 3.9.x jar (set CAVAS_MAVEN_ARTIFACT_JAR)' : false;

// Reads one version a line and prints, for each, a row of <, =, > against every version.
const ORACLE_SOURCE = `
import org.apache.maven.artifact.versioning.ComparableVersion;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
public class MavenOrder {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<ComparableVersion> vs = new ArrayList<>();
    for (String line; (line = in.readLine()) != null; ) vs.add(new ComparableVersion(line));
    StringBuilder out = new StringBuilder();
    for (ComparableVersion x : vs) {
      for (ComparableVersion y : vs) { int c = x.compareTo(y); out.append(c < 0 ? '<' : c > 0 ? '>' : '='); }
      out.append('\\n');
    }
    System.out.print(out);
  }
}
`;

/** Versions mixing numbers, every qualifier and alias, and both separators, to reach each parse and compare branch. */
function syntheticVersions(): string[] {
  const parts = ['0', '1', '2', '10', '01', 'a', 'alpha', 'b', 'beta', 'm', 'milestone', 'rc', 'cr', 'snapshot', 'ga', 'final', 'release', 'sp', 'foo', 'x'];
  const seps = ['.', '-', ''];
  const out: string[] = [];
  let seed = 42;
  // MINSTD, a fixed pseudo-random sequence: the same versions on every run.
  const pick = <T>(list: T[]): T => list[(seed = (seed * 48271) % 2147483647) % list.length] as T;
  for (let k = 0; k < 320; k++) {
    let v = pick(['1', '1', '0', '2']);
    for (let n = 0; n < 1 + (k % 4); n++) v += pick(seps) + pick(parts);
    out.push(v);
  }
  return [...new Set(out)];
}

// The POM reference's version order specification, ComparableVersion's documented behaviour, and real Maven Central versions.
const CHAINS = [
  '1 < 1.1 < 1.1.1 < 1.2 < 1.10 < 2',
  '1-alpha < 1-beta < 1-milestone < 1-rc = 1-cr < 1-snapshot < 1 = 1-ga = 1-final = 1-release = 1.0 = 1.0.0 = 1- = 1. = 1-0 < 1-sp < 1-abc < 1-xyz < 1-1 < 1.1',
  '1-ALPHA = 1-alpha = 1-Alpha < 1-RC = 1-CR < 1-SNAPSHOT = 1-snapshot < 1-GA = 1-Final = 1.RELEASE = 1',
  '1-snapshot < 1 < 1-sp',
  '1-foo2 < 1-foo10',
  '1.foo = 1-foo < 1-1 < 1.1',
  // The POM reference states 1-ga-1 = 1-1, but ComparableVersion 3.9 parses them as [1, [[1]]] and [1, [1]]: a list below a number.
  '1-sp < 1-sp-1 < 1-sp.1 < 1-ga-1 < 1-1',
  '1-ga.1 < 1-sp.1',
  '1-a1 = 1-alpha-1 = 1-alpha1 = 1.alpha1 < 1-b1 = 1-beta-1 < 1-m1 = 1-milestone-1 < 1-rc1',
  '1-alpha < 1 < 1-a < 1-b < 1-m',
  '1.0a1 = 1.0-alpha-1 = 1.0-alpha1 = 1.0.alpha1 = 1.0-a1 = 1.0.a1 < 1.0a2 < 1.0a10 < 1.0b1',
  '1.0.0.RC1 < 1.0.0-RC2 < 1.0.0.RC3 < 1.0.0',
  '1.0.RC2 < 1.0-RC3 < 1.0.1',
  '1.0.X2 < 1.0-X3 < 1.0.1',
  '1.0-SNAPSHOT < 1.0 < 1.0.1-SNAPSHOT < 1.0.1 < 1.1-SNAPSHOT',
  '1.01 = 1.1 = 1.001 < 1.9 < 1.10 < 1.100',
  '1 < 1.0.0.0.0.0.1 < 1.0.1',
  '1.2147483647 < 1.2147483648 < 1.9223372036854775807 < 1.9223372036854775808 < 1.99999999999999999999999 < 2',
  '1-1.foo-bar1baz-.1 = 1-1.foo-bar-1-baz-0.1',
  '2.0-beta9 < 2.0-rc1 < 2.0-rc2 < 2.0 < 2.3.1 < 2.12.2 < 2.14.1 < 2.15.0 < 2.16.0 < 2.17.0 < 2.17.1',
  '2.9.10.8 < 2.13.0 < 2.13.4 < 2.13.4.1 < 2.13.4.2 < 2.14.0-rc1 < 2.14.0-rc2 < 2.14.0 < 2.14.0.1 < 2.15.0',
  '1.26 < 1.33 < 2.0 < 2.2',
  '5.3.17 < 5.3.18.RELEASE = 5.3.18 < 5.3.20 < 6.0.0-M1 < 6.0.0-M2 < 6.0.0-RC1 < 6.0.0',
  '4.1.86.Final = 4.1.86 < 4.1.87.Final < 4.1.100.Final',
  '5.4.24.Final < 5.4.24.SP1 < 5.4.25.Final',
  '30.1-android < 30.1-jre < 31.1-jre < 32.0.0-android < 32.0.0-jre < 32.1.2-jre',
  '9.4.43.v20210629 < 9.4.44.v20210927 < 9.4.51.v20230217',
  '3.0.0-M1 < 3.0.0-M2 < 3.0.0 < 3.0.1',
  '2.7.18 < 3.0.0-M1 < 3.0.0-RC1 < 3.0.0',
  // A timestamped snapshot is no special case: its numbers outrank the release.
  '1.0-SNAPSHOT < 1.0 < 1.0-20230101.120000-1 < 1.0-20230101.120000-2 < 1.0.1',
];

const TABLE: Case[] = [
  ['1.0-alpha', '<', '1.0'],
  ['1.0', '<', '1.0-sp'],
  ['1.0-xyz', '>', '1.0-sp'],
  ['1.0-xyz', '<', '1.0.1'],
  ['1', '<', '1-a'],
  ['1.0 ', '>', '1.0'],
  ['garbage', '<', '0.1'],
  ['garbage', '=', 'GARBAGE'],
  ['é', '>', 'z'],
];

const CASES: Case[] = [...CHAINS.flatMap(chainCases), ...TABLE];

describe('mavenScheme', () => {
  test('orders every case as ComparableVersion does', () => {
    assert.deepEqual(mismatches(mavenScheme, CASES), []);
    assert.ok(CASES.length > 400, `${CASES.length} cases`);
  });

  test('is a total order on all case versions', () => {
    assertTotalOrder(mavenScheme, versionsOf(CASES));
  });

  test('agrees with the real ComparableVersion (maven-artifact 3.9) on every pair', { skip: NO_ORACLE }, () => {
    const versions = [...new Set([...versionsOf(CASES), ...syntheticVersions()])].filter((v) => !/[\r\n]/.test(v));
    const dir = mkdtempSync(path.join(tmpdir(), 'cavas-maven-'));
    try {
      const source = path.join(dir, 'MavenOrder.java');
      writeFileSync(source, ORACLE_SOURCE);
      const out = execFileSync('java', ['-cp', JAR as string, source], { input: versions.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 << 20 });
      const rows = out.split('\n').filter((r) => r !== '');
      assert.equal(rows.length, versions.length);
      const bad: string[] = [];
      versions.forEach((a, i) => {
        versions.forEach((b, j) => {
          const want = (rows[i] as string)[j];
          const got = sign(mavenScheme.compare(a, b));
          if ((got < 0 ? '<' : got > 0 ? '>' : '=') !== want) bad.push(`${a} vs ${b}: Maven says ${want}`);
        });
      });
      assert.deepEqual(bad.slice(0, 20), []);
      assert.ok(versions.length > 300, `${versions.length} versions`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('is antisymmetric on the built versions, and as intransitive on contrived ones as Maven 3.9 is', () => {
    const versions = syntheticVersions();
    const bad: string[] = [];
    for (const a of versions) for (const b of versions) if (sign(mavenScheme.compare(a, b)) !== -sign(mavenScheme.compare(b, a))) bad.push(`${a} vs ${b}`);
    assert.deepEqual(bad.slice(0, 10), []);
    // ComparableVersion 3.9.6 says exactly this (its CombinationItem rework in Maven 4 is about such cases).
    assert.deepEqual(mismatches(mavenScheme, [['1.0', '<', '1-sp'], ['1-sp', '<', '1-0rc1'], ['1.0', '>', '1-0rc1']]), []);
  });

  test('empty and over-long versions are USAGE errors; any other string compares', () => {
    for (const v of ['', `1.${'0-'.repeat(200)}`]) {
      assert.throws(() => mavenScheme.compare(v, '1.0'), (e) => e instanceof CavasError && e.code === 'USAGE' && e.message.startsWith('invalid maven version'), JSON.stringify(v).slice(0, 40));
      assert.throws(() => mavenScheme.compare('1.0', v), { code: 'USAGE' });
    }
    assert.equal(mavenScheme.compare(`1.${'0-'.repeat(120)}1`, '1.0'), 1, 'deep nesting within the bound');
  });

  test('isValid follows Maven model validation', () => {
    for (const v of ['1.0', '1.0-SNAPSHOT', '2.14.0-rc1', '9.4.43.v20210629', '4.1.86.Final', 'garbage']) assert.equal(mavenScheme.isValid(v), true, v);
    for (const v of ['', '1.0 ', '1.0/2', '1:0', '${project.version}', '1.0?', '1.0*', '1.0|2', '1."0"']) assert.equal(mavenScheme.isValid(v), false, v);
  });
});
