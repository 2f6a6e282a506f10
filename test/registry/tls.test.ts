/**
 * https is the default for any registry that is not loopback, so these tests serve on the
 * machine's own non-loopback address (skipped when it has none).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/client.js';
import { parseReference } from '../../src/registry/reference.js';
import { isolatedEnv, rejectsWith, tempDir } from './helpers.js';

const address = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

let hasOpenssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  hasOpenssl = false;
}

const skip = address === undefined ? 'no non-loopback IPv4 address' : !hasOpenssl ? 'no openssl' : false;

describe('RegistryClient over TLS', { skip }, () => {
  const tmp = tempDir('registry-tls');
  const configDir = path.join(tmp.dir, 'docker');
  mkdirSync(configDir);
  const certFile = path.join(tmp.dir, 'cert.pem');
  const keyFile = path.join(tmp.dir, 'key.pem');
  const manifest = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}');
  const handler = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    res.end(manifest);
  };
  let tlsServer: https.Server;
  let plainServer: http.Server;
  let tlsHost = '';
  let plainHost = '';
  const clients: RegistryClient[] = [];
  const client = (opts: RegistryClientOptions = {}): RegistryClient => {
    const c = new RegistryClient({ env: isolatedEnv(configDir), retryBaseMs: 1, ...opts });
    clients.push(c);
    return c;
  };

  before(async () => {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=cavas-test',
        '-addext', `subjectAltName=IP:${address}`, '-keyout', keyFile, '-out', certFile],
      { stdio: 'ignore' },
    );
    tlsServer = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, handler);
    plainServer = http.createServer(handler);
    await new Promise<void>((r) => tlsServer.listen(0, address, r));
    await new Promise<void>((r) => plainServer.listen(0, address, r));
    tlsHost = `${address}:${(tlsServer.address() as AddressInfo).port}`;
    plainHost = `${address}:${(plainServer.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const c of clients) c.close();
    tlsServer.closeAllConnections();
    plainServer.closeAllConnections();
    await new Promise((r) => tlsServer.close(r));
    await new Promise((r) => plainServer.close(r));
    tmp.cleanup();
  });

  it('an untrusted certificate fails at once with a hint about CA certificates', async () => {
    const c = client();
    const e = await rejectsWith(c.getManifest(parseReference(`${tlsHost}/x`)), 'FETCH_FAILED');
    assert.match(e.message, new RegExp(`^cannot reach ${tlsHost}: TLS certificate not trusted \\(\\w+\\); pass the registry's CA certificate`));
    assert.equal(c.requestCounts.manifest, 1);
  });

  it('the CA file option, or SSL_CERT_FILE, makes it trusted', async () => {
    const ref = parseReference(`${tlsHost}/x`);
    assert.deepEqual((await client({ caCertFile: certFile }).getManifest(ref)).body, manifest);
    const viaEnv = client({ env: isolatedEnv(configDir, { SSL_CERT_FILE: certFile }) });
    assert.deepEqual((await viaEnv.getManifest(ref)).body, manifest);
  });

  it('a missing CA file is a usage error', () => {
    assert.throws(() => client({ caCertFile: path.join(tmp.dir, 'absent.pem') }), /cannot read CA certificate file \(ENOENT\)/);
  });

  it('plain http needs --insecure-registry; without it the TLS handshake failure says so', async () => {
    const ref = parseReference(`${plainHost}/x`);
    const e = await rejectsWith(client().getManifest(ref), 'FETCH_FAILED');
    assert.match(e.message, /TLS handshake failed .*--insecure-registry/);
    assert.deepEqual((await client({ insecureRegistries: [plainHost] }).getManifest(ref)).body, manifest);
    assert.deepEqual((await client({ insecureRegistries: [address ?? ''] }).getManifest(ref)).body, manifest);
  });
});
