/**
 * An HTTP proxy in front of a plain-http registry that injects faults into the first
 * N requests of a kind (429 with Retry-After, 5xx, reset connections, truncated or
 * stalled bodies) and counts every request by kind, so tests can check a client's retry
 * and failure behaviour against the real registry behind it.
 */
import { createServer as createHttpServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { freePort } from './procs.js';

export type RequestKind = 'ping' | 'manifest' | 'blob' | 'upload' | 'other';

export interface FaultRule {
  kind: RequestKind | 'any';
  /** How many matching requests get the fault; later ones pass through. */
  first: number;
  /** Default GET and HEAD. */
  methods?: string[];
  /**
   * status: answer `status` (default 429) without asking the registry;
   * reset: close the connection without an answer;
   * truncate: forward, but end the body after half its bytes;
   * hang: never answer.
   */
  action?: 'status' | 'reset' | 'truncate' | 'hang';
  status?: number;
  /** Retry-After header value, e.g. 1 (seconds) or an HTTP date. */
  retryAfter?: number | string;
}

export interface FaultPlan {
  rules?: FaultRule[];
}

export interface ProxiedRequest {
  method: string;
  path: string;
  kind: RequestKind;
  /** The status sent to the client, or 'reset' / 'truncated' / 'hang' for broken answers. */
  outcome: number | 'reset' | 'truncated' | 'hang';
  faulted: boolean;
  at: number;
}

export interface FaultProxy {
  /** 127.0.0.1:PORT to use instead of the registry's host. */
  host: string;
  requests: ProxiedRequest[];
  /** Requests seen so far of a kind (all methods, faulted or not). */
  count(kind: RequestKind, method?: string): number;
  close(): Promise<void>;
}

export function requestKind(path: string): RequestKind {
  const p = path.split('?')[0] ?? '';
  if (p === '/v2/' || p === '/v2') return 'ping';
  if (/^\/v2\/.+\/manifests\/[^/]+$/.test(p)) return 'manifest';
  if (/^\/v2\/.+\/blobs\/uploads(\/.*)?$/.test(p)) return 'upload';
  if (/^\/v2\/.+\/blobs\/[^/]+$/.test(p)) return 'blob';
  return 'other';
}

export async function startFaultProxy(target: string, plan: FaultPlan = {}): Promise<FaultProxy> {
  const upstream = new URL(/^https?:\/\//.test(target) ? target : `http://${target}`);
  if (upstream.protocol !== 'http:') throw new Error('the fault proxy only fronts plain-http registries');
  const rules = (plan.rules ?? []).map((r) => ({ ...r, left: r.first }));
  const requests: ProxiedRequest[] = [];
  const hanging = new Set<ServerResponse>();

  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const kind = requestKind(path);
    const entry: ProxiedRequest = { method, path, kind, outcome: 0, faulted: false, at: Date.now() };
    requests.push(entry);
    const rule = rules.find((r) => r.left > 0 && (r.kind === 'any' || r.kind === kind) && (r.methods ?? ['GET', 'HEAD']).includes(method));
    if (rule) {
      rule.left--;
      entry.faulted = true;
      const action = rule.action ?? 'status';
      if (action === 'status') {
        const status = rule.status ?? 429;
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (rule.retryAfter !== undefined) headers['Retry-After'] = String(rule.retryAfter);
        entry.outcome = status;
        req.resume();
        res.writeHead(status, headers).end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'injected fault' }] }));
        return;
      }
      if (action === 'reset') {
        entry.outcome = 'reset';
        req.socket.destroy();
        return;
      }
      if (action === 'hang') {
        entry.outcome = 'hang';
        hanging.add(res);
        return;
      }
    }
    const truncate = rule?.action === 'truncate';
    const up = request(
      { host: upstream.hostname, port: upstream.port, method, path, headers: req.headers },
      (upRes) => {
        entry.outcome = upRes.statusCode ?? 0;
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        if (!truncate) {
          upRes.pipe(res);
          return;
        }
        const total = Number(upRes.headers['content-length'] ?? 0);
        let sent = 0;
        entry.outcome = 'truncated';
        upRes.on('data', (chunk: Buffer) => {
          const room = Math.floor(total / 2) - sent;
          if (room > 0) {
            res.write(chunk.subarray(0, room));
            sent += Math.min(room, chunk.length);
          }
          if (sent >= Math.floor(total / 2)) {
            upRes.destroy();
            res.socket?.destroy();
          }
        });
      },
    );
    up.on('error', () => {
      entry.outcome = 502;
      if (!res.headersSent) res.writeHead(502).end();
      else res.socket?.destroy();
    });
    req.pipe(up);
  });

  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    host: `127.0.0.1:${port}`,
    requests,
    count: (kind, method) => requests.filter((r) => r.kind === kind && (method === undefined || r.method === method)).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.socket?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** host:port where nothing listens: connections are refused at once. */
export async function unreachableHost(): Promise<string> {
  return `127.0.0.1:${await freePort()}`;
}

/** host:port that accepts connections and never answers, for client timeouts. */
export async function startBlackhole(): Promise<{ host: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
