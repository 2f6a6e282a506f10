/**
 * The web UI in headless Chromium against a real server: buildApp over a real SQLite store
 * holding two real scans (debian-app and alpine 3.16.9, scanned by the built CLI against the
 * corpus advisory DB), serving the UI files as the build ships them (dist/web/public, found
 * with webRoot()). The page runs under a strict CSP (`default-src 'self'`), asks for a
 * token, lists the images with their counts, shows debian-app's findings, filters and sorts
 * them, downloads the SBOM, answers "which images have CVE-X?", shows and refreshes the
 * events, and prints hostile image data as text. No console error, page error or failed
 * request is allowed, and the page loads nothing from elsewhere.
 *
 * Needs the Debian package `chromium` (/usr/bin/chromium) and the devDependency
 * playwright-core. Off CI the test is skipped when Chromium is missing; on CI it must run.
 * Screenshots are kept at build/test-artifacts/web-*.png for a person to look at.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { cyclonedxReporter } from '../../src/report/cyclonedx.js';
import type { ServerDeps } from '../../src/server/deps.js';
import { buildApp } from '../../src/server/http/app.js';
import { generateToken, hashToken } from '../../src/server/http/auth.js';
import { ServerMetrics } from '../../src/server/metrics.js';
import type { ImageRecord } from '../../src/server/model.js';
import type { JobQueue } from '../../src/server/queue/queue.js';
import { findingKey } from '../../src/server/store/finding-key.js';
import { openStore } from '../../src/server/store/open.js';
import type { Store } from '../../src/server/store/store.js';
import { SEVERITY_ORDER, type ScanResult, type Severity } from '../../src/types.js';
import { IMAGES, corpusCache, scanJson, tempDir, vulns } from '../e2e/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ARTIFACTS = join(ROOT, 'build', 'test-artifacts');
const REGISTRY = 'registry.test:5000';
/** What the page must work under; set on the document response so the test does not depend on the server sending it. */
const CSP = "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'none'; frame-ancestors 'none'";

const skip = !existsSync(CHROMIUM) && !process.env.CI ? `${CHROMIUM} not found (install the Debian package chromium); runs on CI` : false;

interface Stored {
  result: ScanResult;
  image: ImageRecord;
  /** Open findings by severity as the store keeps them: one per finding key. */
  counts: Record<Severity, number>;
  findings: number;
}

function countBySeverity(result: ScanResult): { counts: Record<Severity, number>; findings: number } {
  const seen = new Map<string, Severity>();
  for (const f of result.findings) if (!seen.has(findingKey(f))) seen.set(findingKey(f), f.severity);
  const counts = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const s of seen.values()) counts[s] += 1;
  return { counts, findings: seen.size };
}

/** Every file under dir, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)));
}

describe('web UI in headless Chromium against a real server', { skip, timeout: 600_000 }, () => {
  let cache: { dir: string; cleanup: () => void };
  let work: string;
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  let webRoot: string;
  let token: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let debian: Stored;
  let alpine: Stored;
  const sboms = new Map<string, string>();
  const consoleErrors: string[] = [];
  /** Console errors while the test deliberately sends a wrong token (the browser logs the 401). */
  const expected401: string[] = [];
  let expecting401 = false;
  const pageErrors: string[] = [];
  const failedRequests: string[] = [];
  const badResponses: string[] = [];
  const requests: string[] = [];

  async function shot(name: string): Promise<void> {
    const file = join(ARTIFACTS, `web-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(statSync(file).size > 5 * 1024, `${file} is ${statSync(file).size} bytes`);
  }

  async function store1(file: string, repository: string, tag: string, now: string): Promise<Stored> {
    const result = scanJson(cache.dir, join(IMAGES, file));
    const digest = result.image.manifestDigest ?? result.image.configDigest;
    await store.upsertImage({ registry: REGISTRY, repository, digest, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', tag }, now);
    const layers = result.image.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, size: l.size, createdBy: l.createdBy }));
    const diff = await store.saveScan({ digest, image: result.image, inventory: result.inventory, scannedAt: result.scannedAt }, layers, result.findings, now);
    sboms.set(digest, cyclonedxReporter.render(result, { color: false }));
    // The events the scan pipeline would record for a push and its scan.
    await store.addEvents([
      { at: now, type: 'image.pushed', registry: REGISTRY, repository, digest, data: { tag } },
      { at: now, type: 'image.scanned', registry: REGISTRY, repository, digest, data: { packages: result.inventory.packages.length, findings: result.findings.length } },
      ...diff.added.slice(0, 3).map((f) => ({
        at: now,
        type: 'finding.new' as const,
        registry: REGISTRY,
        repository,
        digest,
        findingId: f.id,
        severity: f.severity,
        data: { package: f.packageName ?? f.path ?? '' },
      })),
    ]);
    const found = await store.findImages({ repository });
    const image = found.images[0];
    assert.ok(image, `${repository} stored`);
    return { result, image, ...countBySeverity(result) };
  }

  before(async () => {
    // Ship the UI as the build does, then serve it from where the compiled module says it is.
    const copy = spawnSync(process.execPath, [join(ROOT, 'scripts', 'copy-web.mjs')], { encoding: 'utf8' });
    assert.equal(copy.status, 0, copy.stderr);
    const web = (await import(pathToFileURL(join(ROOT, 'dist', 'web', 'index.js')).href)) as typeof import('../../src/web/index.js');
    webRoot = web.webRoot();
    assert.equal(webRoot, join(ROOT, 'dist', 'web', 'public'));
    assert.deepEqual(filesUnder(webRoot).sort(), filesUnder(join(ROOT, 'src', 'web', 'public')).sort(), 'dist ships every UI file');

    cache = corpusCache();
    work = tempDir('web-ui');
    store = await openStore(`sqlite:${join(work, 'server.db')}`, join(work, 'unused.db'));
    alpine = await store1('alpine-3.16.9.docker.tar.gz', 'library/alpine', '3.16.9', '2024-06-01T10:00:00.000Z');
    debian = await store1('debian-app.docker.tar.gz', 'team/debian-app', 'bookworm', '2024-06-02T10:00:00.000Z');
    token = generateToken();
    await store.addToken({ name: 'web-ui-test', scope: 'read', hash: hashToken(token) }, new Date().toISOString());

    // The UI only reads: scanning and advisory refreshes are never reached, so they are stubs.
    const queue: JobQueue = {
      backend: 'memory',
      enqueue: async () => {
        throw new Error('the web UI test queues nothing');
      },
      process: () => undefined,
      depth: async () => ({ waiting: 0, active: 0, failed: 0 }),
      drain: async () => undefined,
      close: async () => undefined,
    };
    const deps: ServerDeps = {
      store,
      queue,
      metrics: new ServerMetrics({ defaultMetrics: false }),
      requestScan: async () => {
        throw new Error('the web UI test requests no scans');
      },
      refreshAdvisories: async () => {
        throw new Error('the web UI test refreshes no advisories');
      },
      sbom: async (digest) => sboms.get(digest),
    };
    app = await buildApp(deps, { logger: false, webRoot });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // A fresh context is a fresh profile: no token in sessionStorage, nothing cached.
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    await context.route(
      (url) => url.origin === new URL(base).origin && url.pathname === '/',
      async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': CSP } });
      },
    );
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      (expecting401 ? expected401 : consoleErrors).push(`${m.text()} @ ${m.location().url}`);
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    page.on('requestfailed', (r) => failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400 && !(expecting401 && r.status() === 401)) badResponses.push(`${r.status()} ${r.url()}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
    cache?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('serves the page and its assets with nothing from elsewhere', async () => {
    const res = await fetch(base);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = await res.text();
    assert.doesNotMatch(html, /\b(https?:|wss?:|ftp:)?\/\/[a-z0-9]/i, 'no absolute or protocol-relative URL in the HTML');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script');
    assert.doesNotMatch(html, /\sstyle=|<style/i, 'no inline style');
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handler');
    for (const file of filesUnder(webRoot).filter((f) => /\.(js|css|html)$/.test(f))) {
      const asset = await fetch(new URL(`ui/${file}`, base));
      assert.equal(asset.status, 200, file);
      const text = await asset.text();
      assert.equal(text, readFileSync(join(webRoot, file), 'utf8'), `${file} served as shipped`);
      assert.doesNotMatch(text, /\b(https?|wss?):\/\//i, `${file} names no external URL`);
      assert.doesNotMatch(text, /\.innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/, `${file} never parses strings as markup or code`);
    }
  });

  it('asks for a token, refuses a wrong one, then lists both images with their counts', async () => {
    await page.goto(base, { waitUntil: 'load' });
    const dialog = page.locator('#token-dialog');
    await dialog.waitFor({ state: 'visible' });
    assert.match(page.url(), /#\/images$/);
    assert.match(await page.locator('#token-message').innerText(), /token/i);
    await shot('token');

    expecting401 = true;
    await page.fill('#token-input', 'cvs_not-a-real-token');
    await page.press('#token-input', 'Enter');
    await page.locator('#token-message', { hasText: 'refused' }).waitFor();
    assert.equal(await dialog.isVisible(), true, 'the prompt is back after a 401');
    expecting401 = false;
    assert.ok(expected401.every((e) => /401/.test(e)), expected401.join('\n'));

    await page.fill('#token-input', token);
    await page.click('#token-form button[type=submit]');
    await page.locator('table.images tbody tr').first().waitFor();
    assert.equal(await dialog.isVisible(), false);
    assert.equal(await page.evaluate("sessionStorage.getItem('cavas.token')"), token, 'kept for the tab');

    const rows = page.locator('table.images tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await page.locator('main .status').innerText(), /Showing 1–2 of 2 images/);
    for (const s of [debian, alpine]) {
      const row = page.locator(`table.images tbody tr[data-id="${s.image.id}"]`);
      assert.match(await row.locator('th').innerText(), new RegExp(s.image.repository));
      assert.match(await row.locator('td.tags').innerText(), new RegExp(s.image.tags[0]!.replace(/\./g, '\\.')));
      assert.equal(await row.locator('code.digest').innerText(), s.image.digest.slice(0, 'sha256:'.length + 12));
      const shown = Object.fromEntries(
        await row.locator('td.findings .badge').evaluateAll((els) => els.map((e) => [e.getAttribute('data-sev'), Number(e.getAttribute('data-count'))])),
      );
      const expected = Object.fromEntries(Object.entries(s.counts).filter(([, n]) => n > 0));
      assert.deepEqual(shown, expected, `${s.image.repository} counts`);
      assert.deepEqual(s.image.counts, s.counts, `${s.image.repository}: the store counts what the scan found`);
    }
    await shot('images');
  });

  it('searches the images list', async () => {
    await page.fill('#image-q', 'alpine');
    await page.press('#image-q', 'Enter');
    await page.waitForURL(/#\/images\?q=alpine$/);
    await page.locator('main .status', { hasText: 'of 1 image' }).waitFor();
    assert.equal(await page.locator('table.images tbody tr').count(), 1);
    assert.equal(await page.locator('table.images tbody tr').getAttribute('data-id'), String(alpine.image.id));
    await page.fill('#image-q', 'no-such-image-anywhere');
    await page.press('#image-q', 'Enter');
    await page.locator('main .status', { hasText: 'No image matches.' }).waitFor();
    await page.click('nav.main-nav a[data-nav=images]');
    await page.locator('main .status', { hasText: 'of 2 images' }).waitFor();
  });

  it('opens debian-app: its findings, layers and packages', async () => {
    await page.click(`table.images tbody tr[data-id="${debian.image.id}"] th a`);
    await page.waitForURL(new RegExp(`#/images/${debian.image.id}$`));
    await page.locator('table.findings-table tbody tr').first().waitFor();
    assert.equal(await page.locator('main h1').innerText(), 'team/debian-app');
    assert.equal(await page.title(), 'team/debian-app · cavas');
    assert.equal(await page.locator('code.digest-full').innerText(), debian.image.digest);

    const rows = page.locator('table.findings-table tbody tr');
    assert.equal(await rows.count(), debian.findings);
    assert.match(await page.locator('#image-tab-findings').innerText(), new RegExp(`Findings \\(${debian.findings}\\)`));
    // A known critical CVE from the scan is listed with its package and severity.
    const critical = vulns(debian.result).find((f) => f.severity === 'CRITICAL')!;
    assert.ok(critical, 'debian-app has a critical vulnerability');
    const row = page.locator(`table.findings-table tbody tr[data-id="${critical.id}"]`).filter({ hasText: critical.package.name }).first();
    assert.equal(await row.getAttribute('data-sev'), 'CRITICAL');
    assert.match(await row.innerText(), new RegExp(critical.installedVersion.replace(/[.+]/g, '\\$&')));
    // Worst first by default.
    assert.equal(await rows.first().getAttribute('data-sev'), 'CRITICAL');
    assert.equal(await page.locator('th.sortable[aria-sort]').innerText(), 'Severity ▼');
    await shot('image');

    // Keyboard: the tabs follow the arrow keys.
    await page.focus('#image-tab-findings');
    await page.keyboard.press('ArrowRight');
    await page.locator('#image-panel-packages table.packages-table tbody tr').first().waitFor();
    assert.equal(await page.locator('#image-tab-packages').getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator('#image-panel-findings').isVisible(), false);
    assert.equal(await page.locator('table.packages-table tbody tr').count(), Math.min(1000, debian.result.inventory.packages.length));
    assert.equal(await page.locator('#image-tab-packages').innerText(), `Packages (${debian.result.inventory.packages.length})`);
    await page.fill('#package-filter', 'zlib1g');
    assert.ok((await page.locator('table.packages-table tbody tr').count()) >= 1);
    assert.match(await page.locator('table.packages-table tbody tr').first().innerText(), /zlib1g/);
    await shot('packages');

    await page.locator('#image-tab-packages').focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('#image-tab-layers').getAttribute('aria-selected'), 'true');
    const layerRows = page.locator('table.layers-table tbody tr');
    assert.equal(await layerRows.count(), debian.result.image.layers.length);
    const createdBy = debian.result.image.layers[1]!.createdBy!;
    assert.equal(await layerRows.nth(1).locator('td.cmd').innerText(), createdBy);
    assert.match(page.url(), /\?tab=layers$/, 'the tab is kept in the address');
    await shot('layers');
    await page.click('#image-tab-findings');
  });

  it('filters findings by severity, kind and fixability, and sorts them', async () => {
    const rows = page.locator('table.findings-table tbody tr');
    const sevs = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-sev')));

    await page.selectOption('#finding-severity', 'HIGH');
    assert.equal(await rows.count(), debian.counts.HIGH);
    assert.ok((await sevs()).every((s) => s === 'HIGH'));
    assert.match(await page.locator('#image-panel-findings .status').innerText(), new RegExp(`Showing ${debian.counts.HIGH} of ${debian.findings} findings`));
    assert.match(page.url(), /severity=HIGH/);
    await shot('findings-high');

    await page.selectOption('#finding-severity', '');
    await page.selectOption('#finding-kind', 'secret');
    const secrets = countBySeverity({ ...debian.result, findings: debian.result.findings.filter((f) => f.kind === 'secret') }).findings;
    assert.ok(secrets > 0);
    assert.equal(await rows.count(), secrets);
    assert.ok((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')))).every((k) => k === 'secret'));

    await page.selectOption('#finding-kind', 'vulnerability');
    await page.check('#finding-fixable');
    const fixable = countBySeverity({
      ...debian.result,
      findings: vulns(debian.result).filter((f) => f.fixedVersion !== 'unfixed'),
    }).findings;
    assert.ok(fixable > 0 && fixable < debian.findings);
    assert.equal(await rows.count(), fixable);
    assert.ok((await rows.locator('td:nth-child(6)').allInnerTexts()).every((t) => t !== '' && t !== 'unfixed'), 'every row has a fixed version');
    await page.uncheck('#finding-fixable');
    await page.selectOption('#finding-kind', '');
    assert.equal(await rows.count(), debian.findings);

    // Sorted by severity: worst first, and the other way round by keyboard.
    const ranks = async () => (await sevs()).map((s) => SEVERITY_ORDER.indexOf(s as Severity));
    const down = await ranks();
    assert.deepEqual(down, [...down].sort((a, b) => a - b));
    await page.focus('th.sortable:first-child button');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('th.sortable:first-child').getAttribute('aria-sort'), 'ascending');
    const up = await ranks();
    assert.deepEqual(up, [...up].sort((a, b) => b - a));
    assert.equal((await sevs())[0], 'UNKNOWN');
    await page.keyboard.press('Enter');
    assert.equal((await sevs())[0], 'CRITICAL');
  });

  it('downloads the SBOM, fetched with the token', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#sbom-download')]);
    assert.match(download.suggestedFilename(), /^team_debian-app_[0-9a-f]{12}\.cdx\.json$/);
    const bom = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { bomFormat: string; components?: unknown[] };
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.ok((bom.components?.length ?? 0) > 0);
    await page.locator('.actions .status', { hasText: 'Saved' }).waitFor();
  });

  it('answers "which images have CVE-X?"', async () => {
    const critical = vulns(debian.result).find((f) => f.severity === 'CRITICAL')!;
    await page.click('nav.main-nav a[data-nav=vuln]');
    await page.locator('#vuln-id').waitFor();
    await page.fill('#vuln-id', critical.id);
    await page.press('#vuln-id', 'Enter');
    await page.waitForURL(new RegExp(`#/vuln/${critical.id}$`));
    await page.locator('table.vuln-images tbody tr').first().waitFor();
    const images = await page.locator('table.vuln-images tbody tr').evaluateAll((trs) => [...new Set(trs.map((tr) => tr.getAttribute('data-image')))]);
    assert.deepEqual(images, [String(debian.image.id)]);
    assert.match(await page.locator('main .status').innerText(), new RegExp(`${critical.id} is open in 1 image\\.`));
    assert.match(await page.locator('table.vuln-images').innerText(), new RegExp(critical.package.name));
    await shot('vuln');

    const alpineCve = vulns(alpine.result)[0]!;
    await page.fill('#vuln-id', alpineCve.id);
    await page.click('main form button[type=submit]');
    await page.locator('table.vuln-images tbody tr[data-image]', { hasText: 'library/alpine' }).first().waitFor();
    assert.equal(await page.locator(`table.vuln-images tbody tr[data-image="${debian.image.id}"]`).count(), 0);

    // Rule ids hold a slash: it stays one path segment all the way to the API.
    const rule = 'config/root-user';
    const withRule = [debian, alpine].filter((x) => x.result.findings.some((f) => f.kind !== 'vulnerability' && f.ruleId === rule));
    assert.ok(withRule.includes(alpine), 'alpine runs as root');
    await page.fill('#vuln-id', rule);
    await page.press('#vuln-id', 'Enter');
    await page.waitForURL(/#\/vuln\/config%2Froot-user$/);
    await page.locator('main .status', { hasText: `${rule} is open in ${withRule.length} image` }).waitFor();
    const ruleImages = await page.locator('table.vuln-images tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-image')));
    assert.deepEqual(new Set(ruleImages), new Set(withRule.map((x) => String(x.image.id))));

    await page.fill('#vuln-id', 'CVE-1999-0000');
    await page.press('#vuln-id', 'Enter');
    await page.locator('main .status', { hasText: 'No stored image' }).waitFor();

    // The link from a finding leads here too.
    await page.goto(`${base}#/images/${debian.image.id}`);
    await page.locator(`table.findings-table tbody tr[data-id="${critical.id}"] a`).first().click();
    await page.waitForURL(new RegExp(`#/vuln/${critical.id}$`));
    await page.locator('table.vuln-images tbody tr').first().waitFor();
  });

  it('shows the events newest first and refreshes them every 10 s', async () => {
    await page.click('nav.main-nav a[data-nav=events]');
    await page.locator('table.events-table tbody tr').first().waitFor();
    const ids = await page.locator('table.events-table tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-id'))));
    const all = await store.listEvents({ limit: 1000 });
    assert.equal(ids.length, all.length);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    assert.equal(ids[0], Math.max(...all.map((e) => e.id)));
    assert.equal(await page.locator('#event-auto').isChecked(), true);
    await shot('events');

    const [added] = await store.addEvents([
      { at: new Date().toISOString(), type: 'db.updated', data: { rematched: 2, note: '<b>not markup</b>' } },
    ]);
    const fresh = page.locator(`table.events-table tbody tr[data-id="${added!.id}"]`);
    await fresh.waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('table.events-table tbody tr').first().getAttribute('data-id'), String(added!.id));
    assert.match(await fresh.innerText(), /note: <b>not markup<\/b>/);
    assert.equal(await fresh.locator('b').count(), 0);

    await page.selectOption('#event-type', 'finding.new');
    await page.waitForURL(/#\/events\?type=finding\.new$/);
    await page.locator('table.events-table tbody tr:not([data-type="finding.new"])').first().waitFor({ state: 'detached' });
    assert.ok((await page.locator('table.events-table tbody tr').count()) > 0);
  });

  it('prints hostile image data as text', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const digest = `sha256:${'ab'.repeat(32)}`;
    await store.upsertImage({ registry: REGISTRY, repository: 'evil/<script>window.__pwned=1</script>', digest, tag: hostile }, new Date().toISOString());
    await page.goto(`${base}#/images?q=evil`);
    const row = page.locator('table.images tbody tr').first();
    await row.waitFor();
    assert.match(await row.locator('th a').innerText(), /evil\/<script>window\.__pwned=1<\/script>/);
    assert.equal(await row.locator('td.tags').innerText(), hostile);
    assert.equal(await row.locator('td.findings').innerText(), 'pending');
    assert.equal(await page.locator('main img, main script').count(), 0);
    await row.locator('th a').click();
    await page.locator('main h1', { hasText: '<script>' }).waitFor();
    assert.match(await page.locator('#image-panel-findings .status').innerText(), /Not scanned yet/);
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    await shot('hostile');
  });

  it('pages through many images', async () => {
    const now = new Date().toISOString();
    for (let i = 0; i < 60; i += 1) {
      await store.upsertImage({ registry: REGISTRY, repository: `bulk/app-${String(i).padStart(2, '0')}`, digest: `sha256:${i.toString(16).padStart(64, '0')}`, tag: 'v1' }, now);
    }
    await page.goto(`${base}#/images?q=bulk`);
    await page.locator('main .status', { hasText: 'Showing 1–50 of 60 images' }).waitFor();
    assert.equal(await page.locator('table.images tbody tr').count(), 50);
    assert.equal(await page.locator('nav.pager a[rel=prev]').count(), 0, 'no previous page on the first');
    await page.click('nav.pager a[rel=next]');
    await page.locator('main .status', { hasText: 'Showing 51–60 of 60 images' }).waitFor();
    assert.match(page.url(), /#\/images\?q=bulk&offset=50$/);
    assert.equal(await page.locator('table.images tbody tr').count(), 10);
    assert.match(await page.locator('nav.pager').innerText(), /Page 2 of 2/);
    await page.click('nav.pager a[rel=prev]');
    await page.locator('main .status', { hasText: 'Showing 1–50 of 60 images' }).waitFor();
  });

  it('sends back to the prompt when the token stops working', async () => {
    await page.evaluate("sessionStorage.setItem('cavas.token', 'cvs_revoked')");
    expecting401 = true;
    await page.goto(`${base}#/events`);
    await page.locator('#token-message', { hasText: 'refused' }).waitFor();
    expecting401 = false;
    assert.equal(await page.evaluate("sessionStorage.getItem('cavas.token')"), null, 'the refused token is forgotten');
    await page.fill('#token-input', token);
    await page.press('#token-input', 'Enter');
    await page.locator('table.events-table tbody tr').first().waitFor();
  });

  it('had no console errors, page errors or failed requests, and stayed on its origin', () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(failedRequests, []);
    assert.deepEqual(badResponses, []);
    const origin = new URL(base).origin;
    assert.deepEqual(
      requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:')),
      [],
      'nothing requested from elsewhere',
    );
    assert.ok(requests.some((u) => u === `${origin}/ui/app.js`));
  });
});
