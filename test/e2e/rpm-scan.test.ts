/**
 * An AlmaLinux 9 image with a real rpmdb (built by rpm in the test) scanned end to end:
 * every installed rpm is listed, and its AlmaLinux OSV findings equal what an independent
 * oracle computes from the same OSV zip with the real rpm's version comparison.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { buildImage, dir, file, symlink } from '../fixtures/hostile-images.js';
import { BASH, CURL, NODEJS, OPENSSL, RpmWorkshop, sqlitePath, TZDATA } from '../extract/rpm/fixtures.js';
import { MIRROR, corpusCache, scanJson, tempDir, vulns } from './cli.js';

let work: string;
let cache: { dir: string; cleanup: () => void };
let imageRef: string;
let installed: Array<{ name: string; evr: string }>;

before(async () => {
  work = tempDir('rpm-scan');
  cache = corpusCache();
  const w = new RpmWorkshop(work);
  const root = join(work, 'root');
  w.install(root, [...w.build(OPENSSL), ...w.build(CURL), ...w.build(BASH), ...w.build(TZDATA), ...w.build(NODEJS)]);
  installed = w
    .query(root)
    .map((l) => {
      const [name, evr] = l.split(' ') as [string, string];
      return { name, evr };
    })
    .filter((p) => p.name !== 'gpg-pubkey');
  const imgDir = join(work, 'image');
  mkdirSync(imgDir);
  const img = await buildImage(imgDir, {
    layout: 'oci-archive',
    layers: [
      {
        entries: [
          dir('etc'), dir('usr'), dir('usr/lib'), dir('var'), dir('var/lib'), dir('var/lib/rpm'),
          file('usr/lib/os-release', 'NAME="AlmaLinux"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPRETTY_NAME="AlmaLinux 9.3"\n'),
          symlink('etc/os-release', '../usr/lib/os-release'),
          file('var/lib/rpm/rpmdb.sqlite', readFileSync(sqlitePath(root))),
        ],
      },
    ],
  });
  imageRef = img.ref;
});
after(() => {
  cache.cleanup();
  rmSync(work, { recursive: true, force: true });
});

interface OsvRecord {
  id: string;
  withdrawn?: string;
  affected: Array<{ package: { ecosystem: string; name: string }; ranges?: Array<{ events: Array<Record<string, string>> }> }>;
}

/** The oracle: AlmaLinux:9 records naming the package, ranges evaluated with rpm's own rpm.vercmp. */
function expectedFindings(): string[] {
  const zip = join(MIRROR, 'osv', 'AlmaLinux:9', 'all.zip');
  const names = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n');
  const byName = new Map(installed.map((p) => [p.name, p.evr]));
  const candidates: Array<{ id: string; pkg: string; evr: string; introduced: string; fixed?: string }> = [];
  const all = execFileSync('unzip', ['-p', zip, ...names], { encoding: 'utf8', maxBuffer: 1 << 28 });
  // records are concatenated JSON objects; split on the top-level boundaries
  for (const text of all.split(/\n?(?=\{\s*"(?:schema_version|id|modified|published|summary)")/)) {
    if (!text.trim()) continue;
    const rec = JSON.parse(text) as OsvRecord;
    if (rec.withdrawn) continue;
    for (const a of rec.affected) {
      const evr = byName.get(a.package.name);
      if (a.package.ecosystem !== 'AlmaLinux:9' || !evr) continue;
      for (const r of a.ranges ?? []) {
        const introduced = r.events.find((e) => e.introduced !== undefined)?.introduced ?? '0';
        const fixed = r.events.find((e) => e.fixed !== undefined)?.fixed;
        candidates.push({ id: rec.id, pkg: a.package.name, evr, introduced, ...(fixed ? { fixed } : {}) });
      }
    }
  }
  const cmps = candidates.flatMap((c) => [c.introduced === '0' ? null : [c.evr, c.introduced], c.fixed ? [c.evr, c.fixed] : null]).filter((x): x is string[] => x !== null);
  const lua = cmps.map(([a, b]) => `print(rpm.vercmp("${a}","${b}")..",")`).join(' ');
  const results = cmps.length ? execFileSync('rpm', ['--eval', `%{lua: ${lua}}`], { encoding: 'utf8' }).trim().split(',').filter(Boolean).map(Number) : [];
  let k = 0;
  const out = new Set<string>();
  for (const c of candidates) {
    const afterIntroduced = c.introduced === '0' ? true : results[k++]! >= 0;
    const beforeFixed = c.fixed ? results[k++]! < 0 : true;
    if (afterIntroduced && beforeFixed) out.add(`${c.id} ${c.pkg} ${c.fixed ?? 'unfixed'}`);
  }
  return [...out].sort();
}

it('lists every installed rpm and exactly the AlmaLinux OSV findings the oracle computes', () => {
  const result = scanJson(cache.dir, imageRef);
  assert.equal(result.inventory.os?.id, 'almalinux');
  const listed = result.inventory.packages.filter((p) => p.ecosystem === 'rpm').map((p) => `${p.name} ${p.version}`).sort();
  assert.deepEqual(listed, installed.map((p) => `${p.name} ${p.evr}`).sort());
  const expected = expectedFindings();
  assert.ok(expected.length >= 5, `the fixture has known-vulnerable packages (${expected.length})`);
  const got = vulns(result).filter((f) => f.package.ecosystem === 'rpm').map((f) => `${f.id} ${f.package.name} ${f.fixedVersion}`).sort();
  assert.deepEqual(got, expected);
});
