/**
 * Notifications end to end: real HTTP receivers (node:http on 127.0.0.1, random ports),
 * Node's own fetch, real HMAC signatures. The ONLY mock is the store: FakeStore keeps
 * the four Store methods the notifier uses (listSubscriptions, imagesByDigest,
 * addDelivery, updateDelivery) in memory, so delivery rows can be inspected.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import type { DeliveryRecord, EventRecord, EventType, ImageRecord, Subscription } from '../../src/server/model.js';
import { scanCountsData } from '../../src/server/notify/events.js';
import { matchesRepository, selectEvents, type SubscriptionFilter } from '../../src/server/notify/filter.js';
import { Notifier, parseRetryAfter, validateSubscription, type DeliveryError, type NotifierOptions, type NotifierStore } from '../../src/server/notify/notifier.js';
import { buildNotification, buildSlackPayload, NOTIFICATION_SCHEMA, SLACK_MAX_FINDINGS, type NotificationPayload } from '../../src/server/notify/payload.js';
import { signBody, verifySignature } from '../../src/server/notify/sign.js';
import type { Severity } from '../../src/types.js';
import { CavasError } from '../../src/util/errors.js';

const SECRET = 'whsec-test-0123456789abcdef';
const REGISTRY = 'registry.local:5000';
const DIGEST = `sha256:${'3f'.repeat(32)}`;
const NOW = new Date('2026-03-04T05:06:07.000Z');

// --- the one mock: an in-memory store ------------------------------------------------------

class FakeStore implements NotifierStore {
  readonly deliveries: DeliveryRecord[] = [];
  /** Every updateDelivery call, with when it happened (ms since the store was made). */
  readonly updates: Array<{ id: number; patch: Partial<DeliveryRecord>; at: number }> = [];
  private readonly t0 = Date.now();

  constructor(
    public subs: Subscription[],
    public images: ImageRecord[] = [image()],
  ) {}

  async listSubscriptions(): Promise<Subscription[]> {
    return this.subs.map((s) => ({ ...s }));
  }

  async imagesByDigest(digest: string): Promise<ImageRecord[]> {
    return this.images.filter((i) => i.digest === digest).map((i) => ({ ...i, tags: [...i.tags] }));
  }

  async addDelivery(d: Omit<DeliveryRecord, 'id'>): Promise<DeliveryRecord> {
    const rec = { ...d, id: this.deliveries.length + 1 };
    this.deliveries.push(rec);
    return { ...rec };
  }

  async updateDelivery(id: number, patch: Partial<DeliveryRecord>): Promise<void> {
    const rec = this.deliveries.find((d) => d.id === id);
    assert.ok(rec, `delivery ${id} exists`);
    Object.assign(rec, patch);
    this.updates.push({ id, patch, at: Date.now() - this.t0 });
  }

  of(subscriptionId: number): DeliveryRecord[] {
    return this.deliveries.filter((d) => d.subscriptionId === subscriptionId);
  }
}

// --- a real receiver --------------------------------------------------------------------------

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** ms since the receiver started */
  at: number;
}

type Handler = (req: Received, n: number, res: ServerResponse) => void | Promise<void>;

interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

async function receiver(handler: Handler = (_r, _n, res) => void res.writeHead(204).end()): Promise<Receiver> {
  const requests: Received[] = [];
  const t0 = Date.now();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() - t0 };
      requests.push(r);
      void handler(r, requests.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook/path-token-xyz`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound once, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// --- data ---------------------------------------------------------------------------------------

function image(over: Partial<ImageRecord> = {}): ImageRecord {
  return { id: 1, registry: REGISTRY, repository: 'team/api', digest: DIGEST, tags: ['1.4.2', 'latest'], firstSeen: NOW.toISOString(), lastSeen: NOW.toISOString(), ...over };
}

function sub(over: Partial<Subscription> & { url: string }): Subscription {
  return { id: 1, name: 'security', kind: 'webhook', secret: SECRET, onlyFixable: false, onlyKev: false, createdAt: NOW.toISOString(), ...over };
}

interface F {
  kind?: 'vulnerability' | 'config' | 'secret' | 'malware';
  id: string;
  severity: Severity;
  package?: string;
  installedVersion?: string;
  fixedVersion?: string;
  kev?: boolean;
  path?: string;
}

let eventSeq = 100;

/** A finding event as src/server/service.ts writes it (findingEventData: absent values are null). */
function findingEvent(type: EventType, f: F, where: { registry?: string; repository?: string; digest?: string } = { registry: REGISTRY, repository: 'team/api' }): EventRecord {
  return {
    id: ++eventSeq,
    at: NOW.toISOString(),
    type,
    digest: DIGEST,
    ...where,
    findingId: f.id,
    severity: f.severity,
    data: {
      finding: {
        kind: f.kind ?? 'vulnerability',
        id: f.id,
        severity: f.severity,
        package: f.package ?? null,
        purl: f.package ? `pkg:deb/debian/${f.package}` : null,
        installedVersion: f.installedVersion ?? null,
        fixedVersion: f.fixedVersion ?? null,
        kev: f.kev ?? false,
        path: f.path ?? null,
        firstSeen: NOW.toISOString(),
        fixedAt: null,
      },
    },
  };
}

function scannedEvent(data: Record<string, unknown>, repository = 'team/api'): EventRecord {
  return { id: ++eventSeq, at: NOW.toISOString(), type: 'image.scanned', registry: REGISTRY, repository, digest: DIGEST, data: { scanId: 7, tag: 'latest', packages: 120, findings: 9, warnings: 0, ...data } };
}

const OPENSSL = { package: 'openssl', installedVersion: '3.0.13-1~deb12u1' };
const GLIBC_KEV: F = { id: 'CVE-2023-4911', severity: 'HIGH', package: 'libc6', installedVersion: '2.36-9', fixedVersion: '2.36-9+deb12u3', kev: true };
const OPENSSL_HIGH: F = { id: 'CVE-2024-6119', severity: 'HIGH', ...OPENSSL, fixedVersion: '3.0.14-1~deb12u1' };
const AWS_KEY: F = { kind: 'secret', id: 'secret/aws-access-key', severity: 'CRITICAL', path: 'app/.env' };
const OPENSSL_LOW: F = { id: 'CVE-2024-2511', severity: 'LOW', ...OPENSSL, fixedVersion: '3.0.14-1~deb12u1' };
const OPENSSL_GONE: F = { id: 'CVE-2023-5678', severity: 'MEDIUM', package: 'openssl', installedVersion: '3.0.11-1~deb12u2', fixedVersion: 'unfixed' };
const ZLIB_UNFIXED: F = { id: 'CVE-2023-45853', severity: 'CRITICAL', package: 'zlib1g', installedVersion: '1:1.2.13.dfsg-1', fixedVersion: 'unfixed' };

function batch(): EventRecord[] {
  return [
    findingEvent('finding.new', OPENSSL_HIGH),
    findingEvent('finding.new', GLIBC_KEV),
    findingEvent('finding.new', AWS_KEY),
    findingEvent('finding.fixable', OPENSSL_LOW),
    findingEvent('finding.gone', OPENSSL_GONE),
  ];
}

/** Small waits everywhere: the tests are about behaviour, not about the defaults' timing. */
function notifier(store: NotifierStore, opts: NotifierOptions = {}): Notifier {
  return new Notifier(store, { retries: 2, backoffMs: 5, timeoutMs: 2000, now: () => NOW, random: () => 0.5, ...opts });
}

function body(r: Received): NotificationPayload {
  return JSON.parse(r.body) as NotificationPayload;
}

// --- tests --------------------------------------------------------------------------------------

describe('payload and signature', () => {
  test('the exact body of a batch of new, fixable and gone findings, signed with the secret', async () => {
    const rx = await receiver();
    try {
      const store = new FakeStore([sub({ url: rx.url })]);
      const events = batch();
      await notifier(store).notify(events);
      assert.equal(rx.requests.length, 1);
      const r = rx.requests[0]!;
      assert.deepEqual(JSON.parse(r.body), {
        schema: 'cavas.notification/v1',
        id: '1',
        sentAt: '2026-03-04T05:06:07.000Z',
        image: { registry: REGISTRY, repository: 'team/api', digest: DIGEST, tags: ['1.4.2', 'latest'] },
        summary: { new: 3, fixable: 1, gone: 1, bySeverity: { CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 1, NEGLIGIBLE: 0, UNKNOWN: 0 } },
        changes: {
          new: [
            { id: 'secret/aws-access-key', severity: 'CRITICAL', package: null, purl: null, installedVersion: null, fixedVersion: null, kev: false, kind: 'secret', path: 'app/.env' },
            // HIGH: the known-exploited one first
            { id: 'CVE-2023-4911', severity: 'HIGH', package: 'libc6', purl: 'pkg:deb/debian/libc6', installedVersion: '2.36-9', fixedVersion: '2.36-9+deb12u3', kev: true, kind: 'vulnerability' },
            { id: 'CVE-2024-6119', severity: 'HIGH', package: 'openssl', purl: 'pkg:deb/debian/openssl', installedVersion: '3.0.13-1~deb12u1', fixedVersion: '3.0.14-1~deb12u1', kev: false, kind: 'vulnerability' },
          ],
          fixable: [{ id: 'CVE-2024-2511', severity: 'LOW', package: 'openssl', purl: 'pkg:deb/debian/openssl', installedVersion: '3.0.13-1~deb12u1', fixedVersion: '3.0.14-1~deb12u1', kev: false, kind: 'vulnerability' }],
          gone: [{ id: 'CVE-2023-5678', severity: 'MEDIUM', package: 'openssl', purl: 'pkg:deb/debian/openssl', installedVersion: '3.0.11-1~deb12u2', fixedVersion: 'unfixed', kev: false, kind: 'vulnerability' }],
        },
      });
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers['x-cavas-delivery'], '1');
      assert.equal(r.headers['x-cavas-timestamp'], String(NOW.getTime() / 1000));
      assert.match(String(r.headers['user-agent']), /^cavas\//);
      assert.deepEqual(store.deliveries, [
        { id: 1, subscriptionId: 1, eventIds: events.map((e) => e.id), status: 'delivered', attempts: 1, responseStatus: 204, createdAt: NOW.toISOString(), deliveredAt: NOW.toISOString() },
      ]);
    } finally {
      await rx.close();
    }
  });

  test('the signature verifies with the secret and fails with another, or on changed bytes', async () => {
    const rx = await receiver();
    try {
      await notifier(new FakeStore([sub({ url: rx.url })])).notify(batch());
      const r = rx.requests[0]!;
      const header = r.headers['x-cavas-signature'];
      assert.equal(typeof header, 'string');
      assert.match(header as string, /^sha256=[0-9a-f]{64}$/);
      assert.equal(header, signBody(r.body, SECRET));
      assert.equal(verifySignature(r.body, header as string, SECRET), true);
      assert.equal(verifySignature(Buffer.from(r.body), header as string, SECRET), true, 'raw bytes too');
      assert.equal(verifySignature(r.body, header as string, 'another-secret-0123456789'), false);
      assert.equal(verifySignature(r.body.replace('"HIGH"', '"LOW"'), header as string, SECRET), false);
      assert.equal(verifySignature(r.body, undefined, SECRET), false);
      assert.equal(verifySignature(r.body, 'sha256=zz', SECRET), false);
      assert.equal(verifySignature(r.body, (header as string).slice(7), SECRET), false, 'the sha256= prefix is required');
    } finally {
      await rx.close();
    }
  });

  test('no secret: no signature header, the other headers still sent', async () => {
    const rx = await receiver();
    try {
      await notifier(new FakeStore([sub({ url: rx.url, secret: undefined })])).notify(batch());
      const r = rx.requests[0]!;
      assert.equal(r.headers['x-cavas-signature'], undefined);
      assert.equal(r.headers['x-cavas-delivery'], '1');
    } finally {
      await rx.close();
    }
  });

  test('a first scan: image.scanned counts by severity', async () => {
    const rx = await receiver();
    try {
      const counts = { CRITICAL: 1, HIGH: 3, MEDIUM: 4, LOW: 1, NEGLIGIBLE: 0, UNKNOWN: 0 };
      await notifier(new FakeStore([sub({ url: rx.url })])).notify([scannedEvent({ counts })]);
      const p = body(rx.requests[0]!);
      assert.deepEqual(p.scan, { counts, total: 9 });
      assert.deepEqual(p.summary, { new: 0, fixable: 0, gone: 0, bySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, NEGLIGIBLE: 0, UNKNOWN: 0 } });
      assert.deepEqual(p.changes, { new: [], fixable: [], gone: [] });
    } finally {
      await rx.close();
    }
  });

  test('events that are not notifications (image.pushed, scan.failed, db.updated) send nothing', async () => {
    const store = new FakeStore([sub({ url: 'http://127.0.0.1:9/never' })]);
    const base = { at: NOW.toISOString(), registry: REGISTRY, repository: 'team/api', digest: DIGEST, data: {} };
    await notifier(store).notify([
      { ...base, id: 1, type: 'image.pushed' },
      { ...base, id: 2, type: 'scan.failed' },
      { id: 3, at: NOW.toISOString(), type: 'db.updated', data: { rematched: 4 } },
    ]);
    assert.equal(store.deliveries.length, 0);
  });
});

describe('filters', () => {
  const none: SubscriptionFilter = { onlyFixable: false, onlyKev: false };
  const ids = (f: SubscriptionFilter, events = batch()) => selectEvents(f, events)?.findings.map((s) => s.finding.id) ?? [];

  test('repository pattern: against registry/repository and against repository', () => {
    const img = { registry: REGISTRY, repository: 'team/api' };
    assert.equal(matchesRepository(undefined, img), true);
    assert.equal(matchesRepository('team/*', img), true);
    assert.equal(matchesRepository(`${REGISTRY}/team/**`, img), true);
    assert.equal(matchesRepository('*/team/api', img), true);
    assert.equal(matchesRepository('other/*', img), false);
    assert.equal(matchesRepository('team/api-*', img), false);
    assert.equal(matchesRepository('team/*', { registry: REGISTRY, repository: 'team/sub/api' }), false, '* stays within one path segment');
    assert.equal(matchesRepository('team/**', { registry: REGISTRY, repository: 'team/sub/api' }), true);
  });

  test('minimum severity keeps that severity and worse', () => {
    assert.deepEqual(ids({ ...none, minSeverity: 'HIGH' }), ['CVE-2024-6119', 'CVE-2023-4911', 'secret/aws-access-key']);
    assert.deepEqual(ids({ ...none, minSeverity: 'CRITICAL' }), ['secret/aws-access-key']);
    assert.equal(ids({ ...none, minSeverity: 'UNKNOWN' }).length, 5);
  });

  test('only fixable: a fixed version that is not "unfixed"', () => {
    const events = [...batch(), findingEvent('finding.new', ZLIB_UNFIXED)];
    // the secret has no fixed version; the gone one and zlib are unfixed
    assert.deepEqual(ids({ ...none, onlyFixable: true }, events), ['CVE-2024-6119', 'CVE-2023-4911', 'CVE-2024-2511']);
  });

  test('only KEV', () => {
    assert.deepEqual(ids({ ...none, onlyKev: true }), ['CVE-2023-4911']);
  });

  test('filters combine; nothing left is no selection', () => {
    assert.deepEqual(ids({ ...none, onlyKev: true, minSeverity: 'HIGH' }), ['CVE-2023-4911']);
    assert.equal(selectEvents({ ...none, onlyKev: true, minSeverity: 'CRITICAL' }, batch()), undefined);
  });

  test('first-scan counts follow the filters, using the fixable/KEV tables when the event has them', () => {
    const findings = [
      { severity: 'CRITICAL' as const, fixedVersion: 'unfixed', kev: false },
      { severity: 'HIGH' as const, fixedVersion: '2.36-9+deb12u3', kev: true },
      { severity: 'HIGH' as const, fixedVersion: '3.0.14-1~deb12u1', kev: false },
      { severity: 'LOW' as const },
    ];
    const full = scannedEvent({ ...scanCountsData(findings) });
    const zero = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, NEGLIGIBLE: 0, UNKNOWN: 0 };
    assert.deepEqual(selectEvents(none, [full])?.scan?.counts, { ...zero, CRITICAL: 1, HIGH: 2, LOW: 1 });
    assert.deepEqual(selectEvents({ ...none, minSeverity: 'HIGH' }, [full])?.scan?.counts, { ...zero, CRITICAL: 1, HIGH: 2 });
    assert.deepEqual(selectEvents({ ...none, onlyFixable: true }, [full])?.scan?.counts, { ...zero, HIGH: 2 });
    assert.deepEqual(selectEvents({ ...none, onlyKev: true }, [full])?.scan?.counts, { ...zero, HIGH: 1 });
    assert.equal(selectEvents({ ...none, onlyKev: true, minSeverity: 'CRITICAL' }, [full]), undefined);
    // counts alone (what a scan writes today): a KEV-only subscription cannot tell, so it is not told
    const plain = scannedEvent({ counts: { ...zero, HIGH: 2 } });
    assert.equal(selectEvents({ ...none, onlyKev: true }, [plain]), undefined);
    // a clean first scan is news only for an unfiltered subscription
    const clean = scannedEvent({ counts: zero });
    assert.deepEqual(selectEvents(none, [clean])?.scan?.counts, zero);
    assert.equal(selectEvents({ ...none, minSeverity: 'LOW' }, [clean]), undefined);
  });

  test('end to end: each subscription gets what its filters keep, and one with nothing left gets no delivery', async () => {
    const rx = await receiver();
    try {
      const store = new FakeStore([
        sub({ id: 1, url: `${rx.url}?s=pattern-miss`, repositoryPattern: 'other/*' }),
        sub({ id: 2, url: `${rx.url}?s=pattern-hit`, repositoryPattern: `${REGISTRY}/team/*` }),
        sub({ id: 3, url: `${rx.url}?s=critical`, minSeverity: 'CRITICAL' }),
        sub({ id: 4, url: `${rx.url}?s=fixable`, onlyFixable: true }),
        sub({ id: 5, url: `${rx.url}?s=kev`, onlyKev: true }),
        sub({ id: 6, url: `${rx.url}?s=nothing`, onlyKev: true, minSeverity: 'CRITICAL' }),
      ]);
      const events = batch();
      await notifier(store).notify(events);
      const byPath = new Map(rx.requests.map((r) => [r.path.split('?s=')[1], body(r)]));
      assert.deepEqual([...byPath.keys()].sort(), ['critical', 'fixable', 'kev', 'pattern-hit']);
      const all = (p: NotificationPayload | undefined) => [...(p?.changes.new ?? []), ...(p?.changes.fixable ?? []), ...(p?.changes.gone ?? [])].map((i) => i.id);
      assert.equal(all(byPath.get('pattern-hit')).length, 5);
      assert.deepEqual(all(byPath.get('critical')), ['secret/aws-access-key']);
      assert.deepEqual(all(byPath.get('fixable')), ['CVE-2023-4911', 'CVE-2024-6119', 'CVE-2024-2511']);
      assert.deepEqual(all(byPath.get('kev')), ['CVE-2023-4911']);
      assert.deepEqual(byPath.get('kev')?.summary, { new: 1, fixable: 0, gone: 0, bySeverity: { CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 0, NEGLIGIBLE: 0, UNKNOWN: 0 } });
      assert.equal(store.of(1).length, 0);
      assert.equal(store.of(6).length, 0);
      // each delivery records only the events it carried
      assert.deepEqual(store.of(5)[0]?.eventIds, [events[1]!.id]);
    } finally {
      await rx.close();
    }
  });

  test('one digest in two repositories: one delivery per image, each matched on its own name', async () => {
    const rx = await receiver();
    try {
      const images = [image(), image({ id: 2, repository: 'mirror/api', tags: ['stable'] })];
      const store = new FakeStore([sub({ id: 1, url: `${rx.url}?s=all` }), sub({ id: 2, url: `${rx.url}?s=mirror`, repositoryPattern: 'mirror/**' })], images);
      await notifier(store).notify([findingEvent('finding.new', GLIBC_KEV)]);
      const got = rx.requests.map((r) => `${r.path.split('?s=')[1]} ${body(r).image.repository} ${body(r).image.tags.join(',')}`).sort();
      assert.deepEqual(got, ['all mirror/api stable', 'all team/api 1.4.2,latest', 'mirror mirror/api stable']);
      assert.equal(store.deliveries.length, 3);
    } finally {
      await rx.close();
    }
  });
});

describe('Slack', () => {
  test('a header, a counts section and at most 20 findings with an "...and N more" line', () => {
    const events = Array.from({ length: 25 }, (_, n) => findingEvent('finding.new', { id: `CVE-2024-${1000 + n}`, severity: 'HIGH', package: 'openssl', installedVersion: '3.0.13', fixedVersion: '3.0.14' }));
    const selection = selectEvents({ onlyFixable: false, onlyKev: false }, events)!;
    const p = buildNotification({ id: '9', sentAt: NOW.toISOString(), image: { registry: REGISTRY, repository: 'team/api', digest: DIGEST, tags: ['latest'] }, selection });
    const slack = buildSlackPayload(p);
    assert.deepEqual(Object.keys(slack).sort(), ['blocks', 'text']);
    assert.equal(slack.text, `cavas: 25 new in ${REGISTRY}/team/api:latest`);
    assert.deepEqual(
      slack.blocks.map((b) => b.type),
      ['header', 'section', 'section'],
    );
    assert.deepEqual(slack.blocks[0], { type: 'header', text: { type: 'plain_text', text: `cavas: ${REGISTRY}/team/api:latest` } });
    const counts = slack.blocks[1]!.text;
    assert.equal(counts.type, 'mrkdwn');
    assert.match(counts.text, /\*New:\* 25 {3}\*Now fixable:\* 0 {3}\*Gone:\* 0/);
    assert.match(counts.text, /HIGH 25/);
    const lines = slack.blocks[2]!.text.text.split('\n');
    assert.equal(lines.length, SLACK_MAX_FINDINGS + 1);
    assert.equal(lines[0], '• *NEW* HIGH `CVE-2024-1000` in `openssl` 3.0.13 (fixed in 3.0.14)');
    assert.equal(lines[SLACK_MAX_FINDINGS], '_...and 5 more_');
    assert.ok(!JSON.stringify(slack).includes('image_url'), 'no external images');
  });

  test('names from images cannot inject Slack links or mentions', () => {
    const events = [findingEvent('finding.new', { id: 'CVE-2024-1', severity: 'LOW', package: '<!channel>', installedVersion: '1&2' })];
    const p = buildNotification({ id: '1', sentAt: NOW.toISOString(), image: { registry: REGISTRY, repository: 'team/api', digest: DIGEST, tags: [] }, selection: selectEvents({ onlyFixable: false, onlyKev: false }, events)! });
    const text = JSON.stringify(buildSlackPayload(p));
    assert.ok(!text.includes('<!channel>'));
    assert.ok(text.includes('&lt;!channel&gt;'));
    assert.ok(text.includes('1&amp;2'));
  });

  test('a slack subscription is sent the Slack form, not the cavas document', async () => {
    const rx = await receiver((_r, _n, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    try {
      const store = new FakeStore([sub({ url: rx.url, kind: 'slack', secret: undefined })]);
      await notifier(store).notify(batch());
      const sent = JSON.parse(rx.requests[0]!.body) as { text: string; blocks: Array<{ type: string }>; schema?: string };
      assert.equal(sent.schema, undefined);
      assert.equal(sent.text, `cavas: 3 new, 1 now fixable, 1 gone in ${REGISTRY}/team/api:1.4.2`);
      assert.deepEqual(
        sent.blocks.map((b) => b.type),
        ['header', 'section', 'section'],
      );
      assert.equal(store.deliveries[0]?.status, 'delivered');
    } finally {
      await rx.close();
    }
  });
});

describe('delivery and retries', () => {
  test('500 then 200: retried, delivered on the second attempt, same delivery id and body', async () => {
    const rx = await receiver((_r, n, res) => void res.writeHead(n === 1 ? 500 : 200).end(n === 1 ? 'database is locked' : ''));
    const failures: DeliveryError[] = [];
    try {
      const store = new FakeStore([sub({ url: rx.url })]);
      await notifier(store, { onFailure: (e) => failures.push(e) }).notify(batch());
      assert.equal(rx.requests.length, 2);
      assert.equal(rx.requests[0]!.body, rx.requests[1]!.body, 'the clock stood still, so the bodies are equal');
      assert.equal(rx.requests[1]!.headers['x-cavas-delivery'], rx.requests[0]!.headers['x-cavas-delivery']);
      const d = store.deliveries[0]!;
      assert.equal(d.status, 'delivered');
      assert.equal(d.attempts, 2);
      assert.equal(d.responseStatus, 200);
      assert.equal(d.deliveredAt, NOW.toISOString());
      // the failed attempt was recorded as it happened
      assert.deepEqual(store.updates[0]?.patch, { attempts: 1, responseStatus: 500, lastError: 'HTTP 500: database is locked' });
      assert.equal(failures.length, 1);
      assert.equal(failures[0]!.final, false);
      assert.equal(failures[0]!.status, 500);
    } finally {
      await rx.close();
    }
  });

  test('400: failed without retry', async () => {
    const rx = await receiver((_r, _n, res) => void res.writeHead(400).end('{"error":"bad payload"}'));
    const failures: DeliveryError[] = [];
    try {
      const store = new FakeStore([sub({ url: rx.url })]);
      await notifier(store, { retries: 5, onFailure: (e) => failures.push(e) }).notify(batch());
      assert.equal(rx.requests.length, 1);
      const d = store.deliveries[0]!;
      assert.equal(d.status, 'failed');
      assert.equal(d.attempts, 1);
      assert.equal(d.responseStatus, 400);
      assert.equal(d.lastError, 'HTTP 400: {"error":"bad payload"}');
      assert.equal(d.deliveredAt, undefined);
      assert.equal(failures.length, 1);
      assert.equal(failures[0]!.final, true);
    } finally {
      await rx.close();
    }
  });

  test('a redirect is not followed', async () => {
    const rx = await receiver((_r, _n, res) => void res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end());
    try {
      const store = new FakeStore([sub({ url: rx.url })]);
      await notifier(store).notify(batch());
      assert.equal(rx.requests.length, 1);
      assert.equal(store.deliveries[0]?.status, 'failed');
      assert.match(store.deliveries[0]?.lastError ?? '', /^HTTP 302 \(redirects are not followed\)/);
    } finally {
      await rx.close();
    }
  });

  test('retries run out: failed with the last status and error', async () => {
    const rx = await receiver((_r, _n, res) => void res.writeHead(503).end());
    try {
      const store = new FakeStore([sub({ url: rx.url })]);
      await notifier(store, { retries: 2 }).notify(batch());
      assert.equal(rx.requests.length, 3);
      assert.deepEqual(
        { status: store.deliveries[0]?.status, attempts: store.deliveries[0]?.attempts, responseStatus: store.deliveries[0]?.responseStatus, lastError: store.deliveries[0]?.lastError },
        { status: 'failed', attempts: 3, responseStatus: 503, lastError: 'HTTP 503' },
      );
    } finally {
      await rx.close();
    }
  });

  test('429 with Retry-After: 1 waits a second before the retry', async () => {
    const rx = await receiver((_r, n, res) => void (n === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(204).end()));
    try {
      const store = new FakeStore([sub({ url: rx.url })]);
      await notifier(store, { backoffMs: 1 }).notify(batch());
      assert.equal(rx.requests.length, 2);
      const gap = rx.requests[1]!.at - rx.requests[0]!.at;
      assert.ok(gap >= 950, `waited ${gap} ms`);
      assert.equal(store.deliveries[0]?.status, 'delivered');
      assert.equal(store.deliveries[0]?.attempts, 2);
    } finally {
      await rx.close();
    }
  });

  test('Retry-After is capped', async () => {
    const rx = await receiver((_r, n, res) => void (n === 1 ? res.writeHead(503, { 'retry-after': '3600' }).end() : res.writeHead(204).end()));
    try {
      const store = new FakeStore([sub({ url: rx.url })]);
      await notifier(store, { backoffMs: 1, maxRetryAfterMs: 100 }).notify(batch());
      const gap = rx.requests[1]!.at - rx.requests[0]!.at;
      assert.ok(gap >= 90 && gap < 1000, `waited ${gap} ms`);
      assert.equal(store.deliveries[0]?.status, 'delivered');
    } finally {
      await rx.close();
    }
  });

  test('parseRetryAfter reads seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('7', NOW), 7000);
    assert.equal(parseRetryAfter(new Date(NOW.getTime() + 3000).toUTCString(), NOW), 3000);
    assert.equal(parseRetryAfter(new Date(NOW.getTime() - 3000).toUTCString(), NOW), 0);
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter(null, NOW), undefined);
  });

  test('no answer within timeoutMs: the attempt is abandoned and retried', async () => {
    // the first request is never answered; closing the receiver drops its socket
    const rx = await receiver((_r, n, res) => void (n === 1 ? undefined : res.writeHead(204).end()));
    try {
      const store = new FakeStore([sub({ url: rx.url })]);
      const started = Date.now();
      await notifier(store, { timeoutMs: 200 }).notify(batch());
      assert.ok(Date.now() - started < 2000);
      assert.equal(rx.requests.length, 2);
      assert.deepEqual(store.updates[0]?.patch, { attempts: 1, lastError: 'no response within 200 ms' });
      assert.equal(store.deliveries[0]?.status, 'delivered');
      assert.equal(store.deliveries[0]?.attempts, 2);
    } finally {
      await rx.close();
    }
  });

  test('unreachable receiver: retried, then failed with the network error', async () => {
    const port = await deadPort();
    const store = new FakeStore([sub({ url: `http://127.0.0.1:${port}/hook` })]);
    await notifier(store, { retries: 1 }).notify(batch());
    const d = store.deliveries[0]!;
    assert.equal(d.status, 'failed');
    assert.equal(d.attempts, 2);
    assert.equal(d.responseStatus, undefined);
    assert.match(d.lastError ?? '', /^request failed: .*ECONNREFUSED/);
  });

  test('a slow receiver does not delay another subscription', async () => {
    const slow = await receiver((_r, _n, res) => void setTimeout(() => res.writeHead(204).end(), 1500));
    const fast = await receiver();
    try {
      const store = new FakeStore([sub({ id: 1, url: slow.url }), sub({ id: 2, url: fast.url })]);
      const n = notifier(store, { timeoutMs: 5000 });
      const started = Date.now();
      const done = n.notify(batch());
      // wait until the fast delivery is recorded as delivered
      while (store.of(2)[0]?.status !== 'delivered') {
        assert.ok(Date.now() - started < 1000, 'fast delivery finished within a second');
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(store.of(1)[0]?.status, 'pending', 'the slow one is still in flight');
      assert.equal(n.pending(), 1);
      await done;
      assert.ok(Date.now() - started >= 1400, 'notify waits for every delivery');
      assert.equal(store.of(1)[0]?.status, 'delivered');
      assert.equal(n.pending(), 0);
    } finally {
      await slow.close();
      await fast.close();
    }
  });

  test('close() waits for deliveries in progress; events after close are not sent', async () => {
    const rx = await receiver((_r, _n, res) => void setTimeout(() => res.writeHead(204).end(), 300));
    try {
      const store = new FakeStore([sub({ url: rx.url })]);
      const n = notifier(store);
      const running = n.notify(batch());
      await n.close();
      assert.equal(store.deliveries[0]?.status, 'delivered');
      await running;
      await n.notify(batch());
      assert.equal(rx.requests.length, 1);
      assert.equal(store.deliveries.length, 1);
    } finally {
      await rx.close();
    }
  });

  test('close(timeoutMs) cuts a hung delivery short and records it as failed', async () => {
    const rx = await receiver(() => undefined);
    try {
      const store = new FakeStore([sub({ url: rx.url })]);
      const n = notifier(store, { timeoutMs: 10_000 });
      const running = n.notify(batch());
      while (rx.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
      const started = Date.now();
      await n.close(100);
      assert.ok(Date.now() - started < 2000);
      await running;
      assert.equal(store.deliveries[0]?.status, 'failed');
      assert.equal(store.deliveries[0]?.lastError, 'notifier closed during the request');
      assert.equal(n.pending(), 0);
    } finally {
      await rx.close();
    }
  });

  test('the secret and the URL path are never logged nor recorded', async () => {
    const rx = await receiver((_r, n, res) => void res.writeHead(n === 1 ? 500 : 401).end(`echo ${SECRET}`));
    const logs: unknown[] = [];
    const failures: DeliveryError[] = [];
    try {
      const store = new FakeStore([sub({ url: rx.url })]);
      const logger = { warn: (o: object, m?: string) => logs.push([o, m]), info: (o: object, m?: string) => logs.push([o, m]), debug: (o: object, m?: string) => logs.push([o, m]) };
      await notifier(store, { logger, onFailure: (e) => failures.push(e) }).notify(batch());
      assert.equal(store.deliveries[0]?.status, 'failed');
      const seen = JSON.stringify([logs, store.deliveries, store.updates, failures.map((f) => f.message)]);
      assert.ok(logs.length >= 2);
      assert.ok(!seen.includes(SECRET), 'no secret');
      assert.ok(!seen.includes('path-token-xyz'), 'no URL path');
      assert.ok(seen.includes(new URL(rx.url).origin), 'the receiver is named by origin');
    } finally {
      await rx.close();
    }
  });
});

describe('validateSubscription', () => {
  function rejects(input: unknown, pattern: RegExp): void {
    assert.throws(
      () => validateSubscription(input),
      (e: unknown) => {
        assert.ok(e instanceof CavasError);
        assert.equal(e.code, 'BAD_INPUT');
        assert.ok(!e.message.includes('\n'));
        assert.match(e.message, pattern);
        return true;
      },
    );
  }

  test('a full subscription, normalised', () => {
    assert.deepEqual(
      validateSubscription({ name: ' security ', kind: 'webhook', url: 'https://hooks.example.com/cavas', secret: SECRET, repositoryPattern: 'team/**', minSeverity: 'high', onlyFixable: true, onlyKev: null }),
      { name: 'security', kind: 'webhook', url: 'https://hooks.example.com/cavas', secret: SECRET, repositoryPattern: 'team/**', minSeverity: 'HIGH', onlyFixable: true, onlyKev: false },
    );
    assert.deepEqual(validateSubscription({ name: 'chat', url: 'http://127.0.0.1:8080/x', kind: 'slack' }), { name: 'chat', kind: 'slack', url: 'http://127.0.0.1:8080/x', onlyFixable: false, onlyKev: false });
  });

  test('only http and https URLs', () => {
    rejects({ name: 'x', url: 'ftp://example.com/hook' }, /url must be an http:\/\/ or https:\/\/ URL/);
    rejects({ name: 'x', url: 'file:///etc/passwd' }, /http/);
    rejects({ name: 'x', url: 'javascript:alert(1)' }, /http/);
    rejects({ name: 'x', url: 'not a url' }, /url is not a valid URL/);
    rejects({ name: 'x', url: 'https://user:pw@example.com/' }, /user name or password/);
    rejects({ name: 'x' }, /url is required/);
  });

  test('other fields', () => {
    rejects(null, /JSON object/);
    rejects([], /JSON object/);
    rejects({ url: 'https://example.com/' }, /name is required/);
    rejects({ name: 'x', url: 'https://example.com/', kind: 'email' }, /kind must be one of webhook, slack/);
    rejects({ name: 'x', url: 'https://example.com/', secret: 'short' }, /secret must be 16 to 1024 characters/);
    rejects({ name: 'x', url: 'https://example.com/', minSeverity: 'severe' }, /minSeverity must be one of CRITICAL/);
    rejects({ name: 'x', url: 'https://example.com/', onlyKev: 'yes' }, /onlyKev must be true or false/);
    rejects({ name: 'x', url: 'https://example.com/', repositoryPattern: 'team/[api' }, /repositoryPattern is not a valid glob/);
    rejects({ name: 'x', url: 'https://example.com/', minseverity: 'HIGH' }, /unknown field "minseverity"/);
  });

  test('a rejected secret is not quoted back', () => {
    const secret = 'x'.repeat(2000);
    assert.throws(() => validateSubscription({ name: 'x', url: 'https://example.com/', secret }), (e: unknown) => e instanceof Error && !e.message.includes('xxxx'));
  });
});

test('the schema id is stable', () => {
  assert.equal(NOTIFICATION_SCHEMA, 'cavas.notification/v1');
});
