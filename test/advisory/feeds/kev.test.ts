import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { feeds } from '../../../src/advisory/feeds/index.js';
import type { Advisory, AdvisorySink, KevEntry } from '../../../src/advisory/model.js';
import { CavasError } from '../../../src/util/errors.js';

const corpus = process.env.CAVAS_CORPUS ?? path.resolve(process.cwd(), '../shared/corpus');
const mirror = path.join(corpus, 'advisories');

function collector(): AdvisorySink & { advisories: Advisory[]; kev: KevEntry[]; warnings: string[] } {
  const advisories: Advisory[] = [];
  const kev: KevEntry[] = [];
  const warnings: string[] = [];
  return {
    advisories,
    kev,
    warnings,
    addAdvisory: (a) => advisories.push(a),
    addKev: (k) => kev.push(k),
    warn: (w) => warnings.push(w),
  };
}

async function load(file: string, relPath: string) {
  const sink = collector();
  await feeds.kev.load(file, sink, { relPath });
  return sink;
}

describe('feeds index', () => {
  test('every feed is registered under its own name', () => {
    assert.deepEqual(Object.keys(feeds).sort(), ['alpine-secdb', 'debian-tracker', 'kev', 'malware-hashes', 'osv']);
    for (const [name, feed] of Object.entries(feeds)) assert.equal(feed.name, name);
  });
});

describe('kev feed', () => {
  test('the real catalog: 1404 entries', async () => {
    const rel = 'kev/known_exploited_vulnerabilities.json';
    const { advisories, kev, warnings } = await load(path.join(mirror, rel), rel);
    const raw = JSON.parse(await readFile(path.join(mirror, rel), 'utf8')) as { count: number; vulnerabilities: unknown[] };
    assert.equal(raw.vulnerabilities.length, raw.count);
    assert.equal(kev.length, 1404);
    assert.deepEqual(advisories, []);
    assert.deepEqual(warnings, []);
    assert.deepEqual(kev[0], {
      cve: 'CVE-2025-48384',
      dateAdded: '2025-08-25',
      dueDate: '2025-09-15',
      knownRansomwareCampaignUse: 'Unknown',
      vendorProject: 'Git',
      product: 'Git',
    });
    assert.equal(new Set(kev.map((k) => k.cve)).size, 1404);
    assert.equal(kev.filter((k) => k.knownRansomwareCampaignUse === 'Known').length, 293);
    assert.ok(kev.every((k) => /^CVE-\d{4}-\d{4,}$/.test(k.cve) && /^\d{4}-\d{2}-\d{2}$/.test(k.dateAdded)));
  });

  describe('bad input', () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'cavas-kev-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const cases: Array<[string, string, RegExp]> = [
      ['truncated', '{"catalogVersion": "2025.08.25", "vulnerabilities": [{"cveID": "CVE-', /not valid JSON/],
      ['array', '[]', /not a KEV catalog/],
      ['novulns', '{"catalogVersion": "2025.08.25"}', /not a KEV catalog/],
      ['nocve', '{"vulnerabilities": [{"dateAdded": "2025-01-01"}]}', /vulnerabilities\[0\] has no "cveID"/],
      ['nodate', '{"vulnerabilities": [{"cveID": "CVE-2025-0001"}]}', /CVE-2025-0001 has no "dateAdded"/],
    ];
    for (const [name, text, pattern] of cases) {
      test(name, async () => {
        const file = path.join(dir, `${name}.json`);
        await writeFile(file, text);
        await assert.rejects(load(file, 'kev/known_exploited_vulnerabilities.json'), (e: unknown) => {
          assert.ok(e instanceof CavasError, String(e));
          assert.equal(e.code, 'BAD_FEED');
          assert.ok(e.message.startsWith('kev/known_exploited_vulnerabilities.json: '), e.message);
          assert.match(e.message, pattern);
          return true;
        });
      });
    }
  });
});
