/**
 * Checks of the image config and build history (the parts of an image `docker inspect`
 * shows). One rule object each; see docs/rules.md for the table.
 */
import type { RuleHit, RuleInfo } from '../rule.js';
import { sensitivePortsIn } from '../dockerfile/ports.js';
import type { ImageCheckContext } from './context.js';
import { isPlaceholderValue, looksSecretName, redactValue } from './secret-names.js';

export interface ImageRule extends RuleInfo {
  check(ctx: ImageCheckContext): RuleHit[];
}

const NIST_CONFIG = 'NIST SP 800-190 3.1.2';
const NIST_SECRETS = 'NIST SP 800-190 3.1.4';

const ROOT_USERS = new Set(['', '0', 'root']);

export const rootUser: ImageRule = {
  id: 'config/root-user',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'Image runs as root',
  remediation: 'Create an unprivileged user and add `USER <name>` (or a numeric UID) as the last USER instruction.',
  references: ['CIS Docker 4.1', NIST_CONFIG],
  check({ image }) {
    const user = (image.config.User ?? '').trim();
    // "root:staff" and "0:0" are still uid 0; only the part before ':' decides
    const uid = user.split(':')[0]!;
    if (!ROOT_USERS.has(uid)) return [];
    return [{ field: 'config.User', message: user === '' ? 'No USER is set, so processes run as root (uid 0)' : `USER is ${user}, which is uid 0` }];
  },
};

export const noHealthcheck: ImageRule = {
  id: 'config/no-healthcheck',
  kind: 'config',
  severity: 'LOW',
  title: 'No HEALTHCHECK',
  remediation: 'Add a HEALTHCHECK instruction so the runtime can restart a hung container (or `HEALTHCHECK NONE` to decide against it explicitly).',
  references: ['CIS Docker 4.6', NIST_CONFIG],
  check({ image }) {
    const hc = image.config.Healthcheck as { Test?: unknown } | undefined;
    if (hc && Array.isArray(hc.Test) && hc.Test.length > 0) return [];
    return [{ field: 'config.Healthcheck', message: 'The image defines no HEALTHCHECK' }];
  },
};

export const secretInEnv: ImageRule = {
  id: 'config/secret-in-env',
  kind: 'config',
  severity: 'HIGH',
  title: 'Secret in image environment or labels',
  remediation: 'Remove the value from ENV/LABEL (and rebuild: it is in every layer\'s config); inject it at runtime from a secret store.',
  references: ['CIS Docker 4.10', NIST_SECRETS],
  check({ image }) {
    const hits: RuleHit[] = [];
    (image.config.Env ?? []).forEach((kv, i) => {
      const eq = kv.indexOf('=');
      if (eq <= 0) return;
      const name = kv.slice(0, eq);
      const value = kv.slice(eq + 1);
      if (looksSecretName(name) && !isPlaceholderValue(value)) {
        hits.push({ field: `config.Env[${i}]`, message: `Env ${name} holds a credential (${redactValue(value)})` });
      }
    });
    for (const [name, value] of Object.entries(image.config.Labels ?? {})) {
      if (looksSecretName(name) && typeof value === 'string' && !isPlaceholderValue(value)) {
        hits.push({ field: `config.Labels.${name}`, message: `Label ${name} holds a credential (${redactValue(value)})` });
      }
    }
    return hits;
  },
};

/**
 * BuildKit records a RUN's build args in history as `RUN |2 NAME=value OTHER=value /bin/sh -c ...`:
 * a secret passed with --build-arg stays readable in the image.
 */
export function buildArgs(createdBy: string): Array<{ name: string; value: string }> {
  const m = /^RUN \|(\d+) /.exec(createdBy);
  if (!m) return [];
  const out: Array<{ name: string; value: string }> = [];
  let rest = createdBy.slice(m[0].length);
  for (let n = Number(m[1]); n > 0; n--) {
    const arg = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s?/.exec(rest);
    if (!arg) break;
    out.push({ name: arg[1]!, value: arg[2]! });
    rest = rest.slice(arg[0].length);
  }
  return out;
}

export const secretInHistory: ImageRule = {
  // the id the Dockerfile linter uses for a secret ARG: the same mistake seen before the build
  id: 'config/secret-in-arg',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'Secret passed as a build argument',
  remediation: 'Pass build-time secrets with `RUN --mount=type=secret` instead of ARG/--build-arg; rebuild the image.',
  references: ['CIS Docker 4.10', NIST_SECRETS],
  check({ image }) {
    const hits: RuleHit[] = [];
    (image.history ?? []).forEach((h, i) => {
      for (const arg of buildArgs(h.createdBy ?? '')) {
        if (looksSecretName(arg.name) && !isPlaceholderValue(arg.value)) {
          // the value itself is readable by anyone who pulls the image: worse than a declared ARG
          hits.push({ field: `history[${i}]`, severity: 'HIGH', message: `Build argument ${arg.name} is recorded in history (${redactValue(arg.value)})` });
        }
      }
    });
    return hits;
  },
};

export const addRemoteUrl: ImageRule = {
  id: 'config/add-remote-url',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'ADD downloads from a remote URL',
  remediation: 'Download with curl/wget and verify a checksum or signature in the same RUN, or use `ADD --checksum=sha256:...`.',
  references: ['CIS Docker 4.9', NIST_CONFIG],
  check({ image }) {
    const hits: RuleHit[] = [];
    (image.history ?? []).forEach((h, i) => {
      const cmd = h.createdBy ?? '';
      const m = /^(?:\/bin\/sh -c #\(nop\) )?ADD\s+(?:--\S+\s+)*(https?:\/\/\S+)/i.exec(cmd.trim());
      if (m && !/--checksum=/.test(cmd)) hits.push({ field: `history[${i}]`, layer: h.layer, message: `ADD fetched ${m[1]} without a checksum` });
    });
    return hits;
  },
};

export const sensitivePort: ImageRule = {
  id: 'config/sensitive-port',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'Remote-administration port exposed',
  remediation: 'Do not run login or remote-control services in containers; use `docker exec`/`kubectl exec` and remove the EXPOSE.',
  references: ['CIS Docker 5.8', NIST_CONFIG],
  check({ image }) {
    const hits: RuleHit[] = [];
    for (const key of Object.keys(image.config.ExposedPorts ?? {})) {
      for (const p of sensitivePortsIn(key)) hits.push({ field: 'config.ExposedPorts', message: `Port ${key} (${p.service}) is exposed` });
    }
    return hits;
  },
};

const BASE_NAME_LABEL = 'org.opencontainers.image.base.name';

export const latestBase: ImageRule = {
  id: 'config/latest-base',
  kind: 'config',
  severity: 'LOW',
  title: 'Base image referenced by the latest tag',
  remediation: 'Build FROM a fixed tag pinned by digest (image:1.2.3@sha256:...) so rebuilds are reproducible and reviewed.',
  references: ['CIS Docker 4.2', 'NIST SP 800-190 3.1.5'],
  check({ image }) {
    const hits: RuleHit[] = [];
    const base = image.config.Labels?.[BASE_NAME_LABEL];
    if (base && !base.includes('@') && (/:latest$/.test(base) || !/:[^/]+$/.test(base))) {
      hits.push({ field: `config.Labels.${BASE_NAME_LABEL}`, message: `Base image ${base} is not pinned to a version` });
    }
    (image.history ?? []).forEach((h, i) => {
      const m = /^FROM\s+(\S+:latest)\b/i.exec((h.createdBy ?? '').trim());
      if (m) hits.push({ field: `history[${i}]`, message: `Built FROM ${m[1]}` });
    });
    return hits;
  },
};

/** Package manager caches: downloaded packages and indexes nobody needs at runtime. */
const CACHE_DIRS: ReadonlyArray<{ dir: string; what: string; ignore?: RegExp }> = [
  { dir: 'var/lib/apt/lists', what: 'apt package lists', ignore: /^(lock|partial|auxfiles)$/ },
  { dir: 'var/cache/apt/archives', what: 'downloaded .deb files', ignore: /^(lock|partial)$/ },
  { dir: 'var/cache/apk', what: 'apk package cache' },
  { dir: 'var/cache/yum', what: 'yum cache' },
  { dir: 'var/cache/dnf', what: 'dnf cache' },
  { dir: 'root/.cache/pip', what: 'pip cache' },
  { dir: 'root/.npm/_cacache', what: 'npm cache' },
];

export const packageCache: ImageRule = {
  id: 'config/package-cache',
  kind: 'config',
  severity: 'LOW',
  title: 'Package manager cache left in the image',
  remediation: 'Clean the cache in the same RUN that installs (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`, `npm ci && npm cache clean --force`).',
  references: ['CIS Docker 4.3', NIST_CONFIG],
  check({ fs }) {
    const found = new Map<string, { files: number; bytes: number; layer: number }>();
    for (const node of fs.entries()) {
      if (node.entry.type !== 'file') continue;
      const p = node.entry.path;
      for (const c of CACHE_DIRS) {
        if (!p.startsWith(c.dir + '/')) continue;
        const first = p.slice(c.dir.length + 1).split('/')[0]!;
        if (c.ignore?.test(first)) continue;
        const f = found.get(c.dir) ?? { files: 0, bytes: 0, layer: node.layer };
        f.files++;
        f.bytes += node.entry.size;
        f.layer = Math.max(f.layer, node.layer);
        found.set(c.dir, f);
      }
    }
    return [...found].map(([dir, f]) => ({
      path: dir,
      layer: f.layer,
      message: `${CACHE_DIRS.find((c) => c.dir === dir)!.what}: ${f.files} files, ${Math.ceil(f.bytes / 1024)} KiB in /${dir}`,
    }));
  },
};

export const imageRules: readonly ImageRule[] = [rootUser, noHealthcheck, secretInEnv, secretInHistory, addRemoteUrl, sensitivePort, latestBase, packageCache];
