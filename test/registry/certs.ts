/** Throw-away keys and certificates made with the openssl CLI, for TLS and token signing. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './procs.js';

export interface TlsFiles {
  /** The CA that signed the server certificate: what a client passes as --ca-cert. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A private CA and a server certificate for 127.0.0.1 and localhost signed by it. */
export async function makeServerCert(dir: string): Promise<TlsFiles> {
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.pem');
  const ext = join(dir, 'server.ext');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', '/CN=cavas test CA']);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', '/CN=127.0.0.1']);
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', ext]);
  return { caFile, certFile, keyFile };
}

/** A self-signed RSA key pair for signing registry tokens; the cert is the registry's rootcertbundle. */
export async function makeSigningCert(dir: string): Promise<{ certFile: string; keyFile: string }> {
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=test-issuer']);
  return { certFile, keyFile };
}
