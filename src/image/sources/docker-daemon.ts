/**
 * `docker-daemon:NAME`: an image held by a Docker-compatible engine (Docker, Podman's API
 * service), streamed from its image export endpoint straight into the archive reader:
 * nothing is written to disk.
 */
import { request, type IncomingMessage } from 'node:http';
import { CavasError, describeError } from '../../util/errors.js';
import { readArchiveStream } from '../archive.js';
import type { ImageSource } from '../source.js';
import { loadDocker } from './archive.js';

interface Endpoint {
  socketPath?: string;
  host?: string;
  port?: number;
  label: string;
}

/** DOCKER_HOST as the docker CLI reads it: unix:///path or tcp://host:port; default the standard socket. */
export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): Endpoint {
  const dockerHost = env.DOCKER_HOST;
  if (!dockerHost) return { socketPath: '/var/run/docker.sock', label: 'unix:///var/run/docker.sock' };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length), label: dockerHost };
  const tcp = /^(?:tcp|http):\/\/([^:/]+)(?::(\d+))?\/?$/.exec(dockerHost);
  if (tcp?.[1]) return { host: tcp[1], port: Number(tcp[2] ?? 2375), label: dockerHost };
  throw new CavasError('USAGE', `DOCKER_HOST "${dockerHost}" is not supported (use unix:///path or tcp://host:port)`);
}

function exportImage(endpoint: Endpoint, name: string, timeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: endpoint.socketPath,
        host: endpoint.socketPath ? 'localhost' : endpoint.host,
        port: endpoint.socketPath ? undefined : endpoint.port,
        path: `/images/${encodeURIComponent(name)}/get`,
        method: 'GET',
        timeout: timeoutMs,
      },
      resolve,
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

async function errorBody(res: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of res) {
    if (size > 4096) break;
    parts.push(c as Buffer);
    size += (c as Buffer).length;
  }
  const text = Buffer.concat(parts).toString('utf8');
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text.slice(0, 200);
  }
}

export const dockerDaemonSource: ImageSource = {
  transport: 'docker-daemon',
  async load(target, ref, opts) {
    const endpoint = engineEndpoint();
    let res: IncomingMessage;
    try {
      res = await exportImage(endpoint, target, opts.registry?.timeoutMs ?? 30_000);
    } catch (e) {
      throw new CavasError('FETCH_FAILED', `cannot reach the container engine at ${endpoint.label}: ${describeError(e)} (set DOCKER_HOST)`);
    }
    if (res.statusCode === 404) throw new CavasError('NOT_FOUND', `${ref}: the engine at ${endpoint.label} has no image "${target}"`);
    if (res.statusCode !== 200) {
      throw new CavasError('FETCH_FAILED', `${ref}: the engine at ${endpoint.label} answered ${res.statusCode}: ${await errorBody(res)}`);
    }
    try {
      const pass = await readArchiveStream(res, ref, opts.claims, opts.limits, opts.scanners);
      return await loadDocker(pass, ref, ref, 'docker-daemon', undefined, opts);
    } finally {
      res.destroy();
    }
  },
};
