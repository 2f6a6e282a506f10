/**
 * The HTML report of a real scan (debian-app: every kind of finding, a planted GitHub
 * token) opened from disk in headless Chromium: it renders without console or page errors,
 * loads nothing but itself, shows every vulnerability, never the token, and its filter works.
 *
 * Needs the Debian package `chromium` (/usr/bin/chromium) and the devDependency
 * playwright-core. Off CI the test is skipped when Chromium is missing; on CI it must run.
 *
 * The full-page screenshot is kept at build/test-artifacts/html-report.png for a person to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { htmlReporter } from '../../src/report/html.js';
import type { ScanResult } from '../../src/types.js';
import { filesFromImage } from '../extract/fixtures/corpus-image.js';
import { IMAGES, corpusCache, scanJson, tempDir, vulns } from './cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SCREENSHOT = join(ROOT, 'build', 'test-artifacts', 'html-report.png');
const APP = join(IMAGES, 'debian-app.docker.tar.gz');

const skip = !existsSync(CHROMIUM) && !process.env.CI ? `${CHROMIUM} not found (install the Debian package chromium); runs on CI` : false;

describe('html report of debian-app in headless Chromium', { skip }, () => {
  let cache: { dir: string; cleanup: () => void };
  let work: string;
  let result: ScanResult;
  let token: string;
  let browser: Browser;
  let page: Page;
  let fileUrl: string;
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];

  before(async () => {
    cache = corpusCache();
    work = tempDir('html');
    result = scanJson(cache.dir, APP);
    const env = filesFromImage(APP, (p) => p === 'app/config/ci.env').get('app/config/ci.env')!.toString();
    token = /ghp_[A-Za-z0-9]{36}/.exec(env)![0];
    const file = join(work, 'report.html');
    writeFileSync(file, htmlReporter.render(result, { color: false }));
    fileUrl = pathToFileURL(file).href;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // A fresh context is a fresh profile: nothing cached from an earlier run.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(fileUrl, { waitUntil: 'load' });
  });

  after(async () => {
    await browser?.close();
    cache?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('renders with no console or page errors and requests nothing but itself', async () => {
    // The script ran (the CSP hash matches) once it has shown the controls.
    assert.equal(await page.locator('#controls').isVisible(), true, 'filter controls shown by the inline script');
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(requests, [fileUrl]);
  });

  it('titles the page with the image and lists every vulnerability', async () => {
    assert.match(await page.title(), /debian-app/);
    const n = vulns(result).length;
    assert.ok(n > 0, 'the scan finds vulnerabilities');
    assert.equal(await page.locator('#vulnerabilities tbody tr').count(), n);
    for (const title of ['Configuration', 'Secrets', 'Malware']) {
      assert.equal(await page.locator(`section#${title.toLowerCase()} h2`).count(), 1, title);
    }
  });

  it('shows the secret redacted, never the token', async () => {
    const secrets = await page.locator('#secrets').innerText();
    assert.ok(secrets.includes('ghp_****'), 'the redacted form is shown');
    const html = await page.content();
    const text = await page.locator('body').innerText();
    for (const where of [html, text]) {
      assert.ok(!where.includes(token), 'never the token');
      assert.ok(!where.includes(token.slice(4, 20)), 'nor a piece of it');
    }
  });

  it('filters rows by text and by severity', async () => {
    const rows = page.locator('#vulnerabilities tbody tr');
    const visible = () => page.locator('#vulnerabilities tbody tr:not([hidden])').count();
    const total = await rows.count();
    // A package with some findings but not all of them.
    const name = vulns(result).map((f) => f.package.name).find((p, _, all) => all.filter((q) => q === p).length < all.length)!;
    const expected = await rows.evaluateAll((trs, q) => trs.filter((tr) => (tr.textContent ?? '').toLowerCase().includes(q)).length, name.toLowerCase());
    assert.ok(expected > 0 && expected < total, `${name}: ${expected} of ${total}`);

    await page.fill('#filter', name);
    assert.equal(await visible(), expected);
    assert.match(await page.locator('#vulnerabilities .shown').innerText(), new RegExp(`^${expected} of ${total} shown$`));

    await page.fill('#filter', 'no-such-finding-anywhere');
    assert.equal(await visible(), 0);
    assert.equal(await page.locator('#secrets tbody tr:not([hidden])').count(), 0, 'the filter applies to every section');

    await page.fill('#filter', '');
    assert.equal(await visible(), total);

    const sevs = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-sev')));
    const worst = sevs[0]!;
    await page.uncheck(`input[data-sev-toggle][value="${worst}"]`);
    assert.equal(await visible(), sevs.filter((s) => s !== worst).length, `${worst} hidden`);
    await page.check(`input[data-sev-toggle][value="${worst}"]`);
    assert.equal(await visible(), total);
    assert.deepEqual(pageErrors, []);
  });

  it('keeps a full-page screenshot as a test artifact', async () => {
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(statSync(SCREENSHOT).size > 10 * 1024, `${SCREENSHOT} is ${statSync(SCREENSHOT).size} bytes`);
  });
});
