/**
 * Process and network plumbing for the registry harness: free ports, tool
 * invocation with readable failures, and children that cannot outlive the tests.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

/** A port nothing listens on right now (bound to 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const INSTALL_HINT: Record<string, string> = {
  'docker-registry': 'docker-registry',
  skopeo: 'skopeo',
  htpasswd: 'apache2-utils',
  openssl: 'openssl',
};

/** Runs a tool to completion; the error names the command and carries its stderr. */
export function run(cmd: string, args: string[], opts: { input?: string; cwd?: string } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        const hint = missing ? ` (not installed? apt-get install ${INSTALL_HINT[cmd] ?? cmd})` : '';
        reject(new Error(`${cmd} ${args.join(' ')} failed${hint}: ${String(stderr).trim() || err.message}`));
      } else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/**
 * Every long-running child is started through `sh` holding a pipe to this
 * process on stdin: when the test process ends in any way (even SIGKILL) the
 * pipe closes, `read` returns and the shell kills the server. `stop()` closes
 * the pipe the same way.
 */
export interface Daemon {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
// closing the pipes is what stops the servers; done explicitly in case a handle keeps them open
process.once('exit', () => {
  for (const c of live) c.stdin?.destroy();
});
const PID_MARK = 'harness-daemon-pid ';

export function spawnDaemon(cmd: string, args: string[]): Daemon {
  const script = `"$@" </dev/null & pid=$!; echo "${PID_MARK}$pid" >&2; read _ignored; kill $pid 2>/dev/null; wait $pid`;
  const child = spawn('sh', ['-c', script, 'sh', cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  const lines: string[] = [];
  let daemonPid: number | undefined;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (daemonPid === undefined && line.startsWith(PID_MARK)) daemonPid = Number(line.slice(PID_MARK.length));
        else lines.push(line);
      }
    });
    stream?.on('end', () => {
      if (partial) lines.push(partial);
      partial = '';
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end();
      const timer = setTimeout(() => {
        // a server that ignores SIGTERM: kill it by its own pid, then the shell
        if (daemonPid) {
          try {
            process.kill(daemonPid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
        child.kill('SIGKILL');
      }, 5000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  return { child, lines, exited, stop };
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP(S) request, with an optional CA for self-signed registries. */
export function fetchRaw(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; ca?: string | Buffer; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      // a fresh connection each time: a kept-alive socket the server already closed fails with "socket hang up"
      { method: opts.method ?? 'GET', headers: opts.headers, ca: opts.ca, timeout: opts.timeoutMs ?? 10_000, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
