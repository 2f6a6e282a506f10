/**
 * The secret pass through scan(): files an extractor also reads are searched too (one read,
 * two consumers), binaries and oversized files are skipped, deleted files are reported with
 * the layer that removed them, and --secret-config allowlists paths and rules.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadSecretConfig } from '../../../src/check/secret/config-file.js';
import { scan } from '../../../src/scan.js';
import type { SecretFinding } from '../../../src/types.js';
import { buildImage, debianRootfs, dir, file, whiteout } from '../../fixtures/hostile-images.js';
import { checksummedToken } from './fake-secrets.js';

const work = mkdtempSync(join(tmpdir(), 'cavas-secret-scan-'));
after(() => rmSync(work, { recursive: true, force: true }));

const secrets = (r: { findings: unknown[] }): SecretFinding[] => (r.findings as SecretFinding[]).filter((f) => f.kind === 'secret');

describe('secret scan of an image', async () => {
  const token = checksummedToken('ghp');
  const pkg = JSON.stringify({ name: 'app', version: '1.0.0', scripts: { deploy: `GH_TOKEN=${token} ./deploy.sh` } });
  const lock = JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, packages: { '': { name: 'app', version: '1.0.0' }, 'node_modules/left-pad': { version: '1.3.0' } } });
  const binary = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0]), Buffer.from(`token=${token}`)]);
  const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
  big.write(`\ntoken=${token}\n`, 10);
  const img = await buildImage(work, {
    layout: 'docker',
    layers: [
      {
        entries: [
          ...debianRootfs(''),
          dir('app'),
          file('app/package.json', pkg),
          file('app/package-lock.json', lock),
          dir('app/node_modules'),
          dir('app/node_modules/left-pad'),
          file('app/node_modules/left-pad/package.json', JSON.stringify({ name: 'left-pad', version: '1.3.0' })),
          file('app/tool', binary, 0o755),
          file('app/big.txt', big),
          file('app/.env', `GITHUB_TOKEN=${token}\n`),
        ],
      },
      { entries: [dir('app'), whiteout('app/.env')] },
    ],
  });

  it('finds the token in a file the npm extractor reads too, and in a deleted file; skips binaries and big files', async () => {
    const r = await scan(img.ref, { scanners: ['secret'], cacheDir: join(work, 'cache') });
    const found = secrets(r).map((f) => `${f.ruleId} ${f.path}:${f.line} L${f.layer}${f.removedInLayer !== undefined ? ` removed L${f.removedInLayer}` : ''}`).sort();
    assert.deepEqual(found, ['secret/github-pat app/.env:1 L0 removed L1', 'secret/github-pat app/package.json:1 L0']);
    assert.ok(r.inventory.packages.some((p) => p.ecosystem === 'npm' && p.name === 'left-pad'), 'the npm extractor still got package-lock.json');
    for (const f of secrets(r)) assert.equal(f.match, 'ghp_****');
    assert.ok(!JSON.stringify(r).includes(token));
  });

  it('--secret-config allow-paths and disable-rules', async () => {
    const cfg = join(work, 'secret.yaml');
    writeFileSync(cfg, 'allow-paths:\n  - "app/*.json"\ndisable-rules: []\n');
    const r = await scan(img.ref, { scanners: ['secret'], secret: loadSecretConfig(cfg), cacheDir: join(work, 'cache') });
    assert.deepEqual(secrets(r).map((f) => f.path), ['app/.env']);
    // without the token rule, the value is still a high-entropy NAME=value assignment
    writeFileSync(cfg, 'disable-rules: [secret/github-pat]\n');
    const generic = await scan(img.ref, { scanners: ['secret'], secret: loadSecretConfig(cfg), cacheDir: join(work, 'cache') });
    assert.deepEqual([...new Set(secrets(generic).map((f) => f.ruleId))], ['secret/generic-assignment']);
    writeFileSync(cfg, 'disable-rules: [secret/github-pat, secret/generic-assignment]\n');
    const none = await scan(img.ref, { scanners: ['secret'], secret: loadSecretConfig(cfg), cacheDir: join(work, 'cache') });
    assert.deepEqual(secrets(none), []);
  });

  it('a malformed secret config is a one-line error', () => {
    const cfg = join(work, 'bad.yaml');
    writeFileSync(cfg, 'allow-paths: 3\n');
    assert.throws(() => loadSecretConfig(cfg), /bad\.yaml: allow-paths must be a list of strings/);
    writeFileSync(cfg, 'allow_paths: [x]\n');
    assert.throws(() => loadSecretConfig(cfg), /unknown key "allow_paths"/);
    writeFileSync(cfg, 'a: [\n');
    assert.throws(() => loadSecretConfig(cfg), (e: Error) => /not valid YAML/.test(e.message) && !e.message.includes('\n'));
  });
});
