/** Deliveries a dead process left pending are sent again, with their delivery id, from the store. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Notifier } from '../../src/server/notify/notifier.js';
import { openStore } from '../../src/server/store/open.js';
import type { Store } from '../../src/server/store/store.js';
import { tempDir } from '../e2e/cli.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const SECRET = 'resume-secret-0123456789';

describe('notifier: resuming deliveries left pending', () => {
  let dir: string;
  let store: Store;
  const got: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  let url: string;

  before(async () => {
    dir = tempDir('resume');
    store = await openStore(join(dir, 'cavas.db'), '');
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  });
  after(async () => {
    await store.close();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends an old pending delivery again under its id, leaves a recent one, sends nothing for a deleted subscription', async () => {
    const now = new Date('2026-11-29T12:00:00Z');
    await store.upsertImage({ registry: 'registry.test:5000', repository: 'team/app', digest: DIGEST, tag: 'v1' }, now.toISOString());
    const sub = await store.addSubscription({ name: 'owners', kind: 'webhook', url, secret: SECRET, onlyFixable: false, onlyKev: false }, now.toISOString());
    const gone = await store.addSubscription({ name: 'gone', kind: 'webhook', url, onlyFixable: false, onlyKev: false }, now.toISOString());
    const [event] = await store.addEvents([
      {
        at: now.toISOString(),
        type: 'finding.new',
        registry: 'registry.test:5000',
        repository: 'team/app',
        digest: DIGEST,
        findingId: 'CVE-2024-6119',
        severity: 'HIGH',
        data: { finding: { kind: 'vulnerability', id: 'CVE-2024-6119', severity: 'HIGH', package: 'openssl', purl: 'pkg:deb/debian/openssl@3.0.13-1', installedVersion: '3.0.13-1', fixedVersion: '3.0.14-1', kev: false } },
      },
    ]);
    const old = new Date(now.getTime() - 20 * 60_000).toISOString();
    const orphan = await store.addDelivery({ subscriptionId: sub.id, eventIds: [event!.id], status: 'pending', attempts: 1, createdAt: old });
    const recent = await store.addDelivery({ subscriptionId: sub.id, eventIds: [event!.id], status: 'pending', attempts: 0, createdAt: new Date(now.getTime() - 60_000).toISOString() });
    const deleted = await store.addDelivery({ subscriptionId: gone.id, eventIds: [event!.id], status: 'pending', attempts: 0, createdAt: old });
    await store.deleteSubscription(gone.id);

    const notifier = new Notifier(store, { now: () => now, backoffMs: 10 });
    assert.equal(await notifier.resume(store, 10 * 60_000), 1);
    assert.equal(got.length, 1);
    const { headers, body } = got[0]!;
    assert.equal(headers['x-cavas-delivery'], String(orphan.id));
    assert.equal(headers['x-cavas-signature'], 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex'));
    const payload = JSON.parse(body) as { image: { digest: string; tags: string[] }; changes: { new: Array<{ id: string }> } };
    assert.equal(payload.image.digest, DIGEST);
    assert.deepEqual(payload.image.tags, ['v1']);
    assert.deepEqual(payload.changes.new.map((f) => f.id), ['CVE-2024-6119']);

    const byId = new Map((await store.listDeliveries({ limit: 10 })).map((d) => [d.id, d]));
    assert.equal(byId.get(orphan.id)?.status, 'delivered');
    assert.equal(byId.get(recent.id)?.status, 'pending', 'a delivery another process may still be retrying is left alone');
    assert.equal(byId.has(deleted.id), false, 'deleting a subscription deletes its deliveries: nothing is sent for it');
    // nothing pending and old is left: a second sweep sends nothing
    assert.equal(await notifier.resume(store, 10 * 60_000), 0);
    assert.equal(got.length, 1);
    await notifier.close();
  });
});
