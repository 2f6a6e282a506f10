/**
 * One HTTP request, no policy: node:http/https rather than global fetch because registries
 * need custom CA bundles, manual redirects (to drop Authorization across hosts) and an idle
 * timeout that also covers a stalled body — none of which global fetch offers without
 * another dependency. Retries, auth and redirects live in client.ts.
 */
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { CavasError } from '../util/errors.js';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Must be consumed or destroyed by the caller. */
  body: http.IncomingMessage;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface TransportOptions {
  /** Extra PEM CA certificates, trusted in addition to Node's bundled roots. */
  caPem?: string[];
  /** No byte for this long (connecting, waiting for headers, or mid-body) fails the request. */
  timeoutMs: number;
  userAgent: string;
}

/** Our own idle-timeout error, distinguishable from socket errors by its code. */
export class IdleTimeoutError extends Error {
  readonly code = 'CAVAS_IDLE_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`no response within ${timeoutMs / 1000} s`);
  }
}

export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly opts: TransportOptions) {
    this.httpAgent = new http.Agent({ keepAlive: true });
    const ca = opts.caPem && opts.caPem.length > 0 ? [...rootCertificates, ...opts.caPem] : undefined;
    this.httpsAgent = new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) });
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const isHttps = req.url.protocol === 'https:';
    const mod = isHttps ? https : http;
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent, ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    return new Promise((resolve, reject) => {
      let response: http.IncomingMessage | undefined;
      const r = mod.request(req.url, {
        method: req.method,
        headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        timeout: this.opts.timeoutMs,
      });
      // The socket timeout stays armed while the body streams, so it is also the idle timeout.
      r.on('timeout', () => {
        const err = new IdleTimeoutError(this.opts.timeoutMs);
        if (response) response.destroy(err);
        else r.destroy(err);
      });
      r.on('error', reject);
      r.on('response', (res) => {
        response = res;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      r.end(req.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Reads a whole (small) body, failing once it passes `maxBytes`. */
export async function readBody(res: HttpResponse, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy();
    throw new CavasError('LIMIT_EXCEEDED', `${what}: ${declared} bytes is more than the ${maxBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      res.body.destroy();
      throw new CavasError('LIMIT_EXCEEDED', `${what}: more than the ${maxBytes}-byte limit`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
