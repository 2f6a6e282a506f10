/**
 * The markdown and JUnit reporters over a real scan of debian-app (every kind of finding,
 * a planted GitHub token): the comment fits GitHub's limit and never shows the token, and
 * the JUnit XML is well-formed with one failure per finding.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { junitReporter } from '../../src/report/junit.js';
import { GITHUB_COMMENT_LIMIT, markdownReporter } from '../../src/report/markdown.js';
import type { ScanResult } from '../../src/types.js';
import { filesFromImage } from '../extract/fixtures/corpus-image.js';
import { all, parseXml } from '../report/fixtures/xml.js';
import { IMAGES, corpusCache, scanJson } from './cli.js';

const APP = join(IMAGES, 'debian-app.docker.tar.gz');
const OPTS = { color: false };

let cache: { dir: string; cleanup: () => void };
let result: ScanResult;
let token: string;

before(() => {
  cache = corpusCache();
  result = scanJson(cache.dir, APP);
  const env = filesFromImage(APP, (p) => p === 'app/config/ci.env').get('app/config/ci.env')!.toString();
  token = /ghp_[A-Za-z0-9]{36}/.exec(env)![0];
});
after(() => cache.cleanup());

describe('debian-app as a pull-request comment and as JUnit', () => {
  it('markdown: under the comment limit, secrets section redacted', () => {
    assert.ok(result.findings.some((f) => f.kind === 'secret'), 'the scan finds the planted secrets');
    const md = markdownReporter.render(result, OPTS);
    assert.ok(md.length <= GITHUB_COMMENT_LIMIT, `${md.length} characters`);
    const secrets = md.slice(md.indexOf('### Secrets ('));
    assert.ok(md.includes('### Secrets ('), 'has a secrets section');
    assert.ok(secrets.includes('`ghp_****`'), 'shows the redacted token');
    assert.ok(!md.includes(token), 'never the token itself');
    assert.ok(!md.includes(token.slice(4, 20)), 'nor a piece of it');
    for (const title of ['Vulnerabilities', 'Configuration', 'Malware']) assert.ok(md.includes(`### ${title} (`), title);
  });

  it('junit: well-formed, one failure per finding, no token', () => {
    const xml = junitReporter.render(result, OPTS);
    assert.ok(!xml.includes(token));
    const root = parseXml(xml);
    assert.equal(root.attrs.failures, String(result.findings.length));
    assert.equal(all(root, 'failure').length, result.findings.length);
    const kinds = new Set(result.scanners ?? ['vuln']);
    assert.equal(all(root, 'testsuite').length, kinds.size + (result.errors?.length ? 1 : 0));
    assert.equal(root.attrs.tests, String(all(root, 'testcase').length));
  });
});
