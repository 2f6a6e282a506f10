/**
 * deploy/: the manifests a cluster applies, and docs/server.md that explains them. No
 * cluster runs in the tests, so they check what breaks without one: every YAML document
 * parses, each kustomization lists its folder, every container is locked down and sized,
 * long-running ones are probed, and the cavas containers use only commands, flags,
 * CAVAS_* variables and cavas.yaml keys the CLI has.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { parse, parseAllDocuments } from 'yaml';
import { buildProgram } from '../../src/cli/program.js';
import { checkSettingsFile, envName, optionKey } from '../../src/cli/settings.js';
import { parseDuration } from '../../src/util/duration.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DEPLOY = join(root, 'deploy');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

// ---- the CLI's flags -------------------------------------------------------------------

/** Not settings: every command has them, none belongs in a manifest. */
const NOT_SETTINGS = new Set(['help', 'version']);

interface Flags {
  /** `--long` and `-s` spellings the command line accepts (parents' flags included). */
  spellings: Set<string>;
  /** Long names without dashes: the cavas.yaml keys of this command alone (no parents). */
  keys: Set<string>;
  /** CAVAS_* variables the command reads (parents' included). */
  env: Set<string>;
}

const program = buildProgram();

function findCommand(path: readonly string[]): Command[] | undefined {
  const chain: Command[] = [program];
  for (const name of path) {
    const next = chain[chain.length - 1]!.commands.find((c) => c.name() === name);
    if (!next) return undefined;
    chain.push(next);
  }
  return chain;
}

function commandFlags(path: readonly string[]): Flags | undefined {
  const chain = findCommand(path);
  const spellings = new Set<string>();
  const keys = new Set<string>();
  const env = new Set<string>();
  const add = (cmdOptions: Command['options'], own: boolean): void => {
    for (const o of cmdOptions) {
      if (NOT_SETTINGS.has(optionKey(o))) continue;
      if (o.long) spellings.add(o.long);
      if (o.short) spellings.add(o.short);
      if (own) keys.add(optionKey(o));
      env.add(envName(o));
    }
  };
  if (!chain) return undefined;
  chain.forEach((c, i) => add(c.options, i === chain.length - 1));
  return { spellings, keys, env };
}

/** Command paths of the real program, longest first. */
function knownPaths(): string[][] {
  const paths: string[][] = [];
  const walk = (cmd: Command, prefix: string[]): void => {
    for (const c of cmd.commands) {
      const p = [...prefix, c.name()];
      paths.push(p);
      walk(c, p);
    }
  };
  walk(program, []);
  return paths.sort((a, b) => b.length - a.length);
}

/** Splits cavas arguments into the command path and the flags used. */
function splitArgs(args: readonly string[]): { path: string[]; flags: string[] } {
  const path = knownPaths().find((p) => p.every((name, i) => args[i] === name)) ?? [];
  const flags = args
    .slice(path.length)
    .filter((a) => /^--?[A-Za-z]/.test(a))
    .map((a) => a.split('=')[0]!);
  return { path, flags };
}

function flagsFor(path: readonly string[], where: string): Flags {
  const flags = commandFlags(path);
  assert.ok(flags, `${where}: cavas has no command "${path.join(' ')}"`);
  return flags;
}

// ---- reading deploy/ -------------------------------------------------------------------

interface Labels {
  [key: string]: string;
}

interface Probe {
  httpGet?: { path?: string; port?: string | number };
  exec?: { command?: string[] };
  tcpSocket?: { port?: string | number };
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}

interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort: number }>;
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

interface Volume {
  name: string;
  emptyDir?: { sizeLimit?: string };
  configMap?: { name: string };
  secret?: { secretName: string };
  persistentVolumeClaim?: { claimName: string };
}

interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  volumes?: Volume[];
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
}

interface PodTemplate {
  metadata?: { labels?: Labels };
  spec: PodSpec;
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
  spec?: {
    template?: PodTemplate;
    jobTemplate?: { spec: { template: PodTemplate } };
    volumeClaimTemplates?: Array<{ metadata: { name: string } }>;
    selector?: Labels | { matchLabels?: Labels };
    podSelector?: { matchLabels?: Labels };
    ports?: Array<{ name?: string; port: number; targetPort?: string | number }>;
    ingress?: Array<{ ports?: Array<{ port?: string | number }> }>;
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

interface Loaded {
  file: string;
  doc: unknown;
}

function yamlFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const files = yamlFilesUnder(DEPLOY);
const rel = (f: string): string => relative(root, f).split('\\').join('/');

function loadAll(): { docs: Loaded[]; errors: string[] } {
  const docs: Loaded[] = [];
  const errors: string[] = [];
  for (const file of files) {
    for (const d of parseAllDocuments(readFileSync(file, 'utf8'))) {
      for (const e of d.errors) errors.push(`${rel(file)}: ${e.message.split('\n')[0]}`);
      const js: unknown = d.toJS();
      if (js !== null && js !== undefined) docs.push({ file: rel(file), doc: js });
    }
  }
  return { docs, errors };
}

const { docs, errors: parseErrors } = loadAll();
const isKustomization = (d: unknown): boolean => isMapping(d) && d.kind === 'Kustomization';
const objects = docs.filter((d) => !isKustomization(d.doc)).map((d) => ({ file: d.file, obj: d.doc as K8sObject }));

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Pod {
  where: string;
  kind: string;
  template: PodTemplate;
  /** Deployments, StatefulSets and DaemonSets run until stopped; Jobs run to completion. */
  longRunning: boolean;
  claimNames: string[];
}

const pods: Pod[] = objects.flatMap(({ file, obj }): Pod[] => {
  const where = `${file} ${obj.kind}/${obj.metadata?.name}`;
  const claimNames = (obj.spec?.volumeClaimTemplates ?? []).map((v) => v.metadata.name);
  if (['Deployment', 'StatefulSet', 'DaemonSet'].includes(obj.kind) && obj.spec?.template) {
    return [{ where, kind: obj.kind, template: obj.spec.template, longRunning: true, claimNames }];
  }
  if (obj.kind === 'Job' && obj.spec?.template) return [{ where, kind: obj.kind, template: obj.spec.template, longRunning: false, claimNames }];
  if (obj.kind === 'CronJob' && obj.spec?.jobTemplate) {
    return [{ where, kind: obj.kind, template: obj.spec.jobTemplate.spec.template, longRunning: false, claimNames }];
  }
  return [];
});

interface Ctr {
  pod: Pod;
  container: Container;
  init: boolean;
  where: string;
}

const containers: Ctr[] = pods.flatMap((pod) => [
  ...(pod.template.spec.initContainers ?? []).map((c) => ({ pod, container: c, init: true, where: `${pod.where} initContainer ${c.name}` })),
  ...pod.template.spec.containers.map((c) => ({ pod, container: c, init: false, where: `${pod.where} container ${c.name}` })),
]);

const isCavas = (c: Container): boolean => /^(?:.*\/)?cavas(?::|@|$)/.test(c.image ?? '');
const cavasContainers = containers.filter((c) => isCavas(c.container));

/** The settings file the cavas containers read: the ConfigMap key CAVAS_CONFIG points at. */
function cavasYaml(): { where: string; values: Record<string, unknown> } | undefined {
  for (const { file, obj } of objects) {
    if (obj.kind !== 'ConfigMap' || !obj.data) continue;
    for (const [key, text] of Object.entries(obj.data)) {
      if (key !== 'cavas.yaml' && key !== 'cavas.yml') continue;
      const values: unknown = parse(text);
      assert.ok(isMapping(values), `${file} ${key}: not a mapping`);
      return { where: `${file} ConfigMap/${obj.metadata.name} ${key}`, values };
    }
  }
  return undefined;
}

function labelsMatch(selector: Labels | undefined, labels: Labels | undefined): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function effective(c: Container, pod: PodSpec): SecurityContext {
  return { ...pod.securityContext, ...c.securityContext };
}

function portsOf(c: Container): Set<string | number> {
  const out = new Set<string | number>();
  for (const p of c.ports ?? []) {
    out.add(p.containerPort);
    if (p.name) out.add(p.name);
  }
  return out;
}

function durationSetting(values: Record<string, unknown> | undefined, section: string, key: string): string | undefined {
  const inSection = values && isMapping(values[section]) ? (values[section] as Record<string, unknown>)[key] : undefined;
  const top = values?.[key];
  const v = inSection ?? top;
  return v === undefined ? undefined : String(v);
}

// ---- the tests -------------------------------------------------------------------------

describe('deploy/', () => {
  it('every YAML document parses', () => {
    assert.ok(files.length >= 5, `YAML files under deploy/: ${files.map(rel).join(', ')}`);
    assert.deepEqual(parseErrors, []);
    for (const { file, obj } of objects) {
      assert.ok(isMapping(obj), `${file}: a document that is not a mapping`);
      assert.ok(typeof obj.apiVersion === 'string' && typeof obj.kind === 'string', `${file}: a document without apiVersion/kind`);
      assert.ok(typeof obj.metadata?.name === 'string' && obj.metadata.name !== '', `${file}: a ${obj.kind} without metadata.name`);
    }
  });

  it('each kustomization lists every file and folder of its directory, and only those', () => {
    const kustomizations = files.filter((f) => /(?:^|\/)kustomization\.ya?ml$/.test(f.split('\\').join('/')));
    assert.ok(kustomizations.length >= 1, 'no kustomization.yaml under deploy/');
    for (const k of kustomizations) {
      const dir = dirname(k);
      const doc: unknown = parse(readFileSync(k, 'utf8'));
      assert.ok(isMapping(doc), `${rel(k)}: not a mapping`);
      const listed = [doc.resources, doc.components, doc.crds].flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : [])).map(String);
      for (const entry of listed) assert.ok(existsSync(join(dir, entry)), `${rel(k)} lists ${entry}, which does not exist`);
      const present = readdirSync(dir, { withFileTypes: true })
        .filter((e) => (e.isFile() && /\.ya?ml$/.test(e.name) && !/^kustomization\.ya?ml$/.test(e.name)) || (e.isDirectory() && existsSync(join(dir, e.name, 'kustomization.yaml'))))
        .map((e) => e.name)
        .sort();
      assert.deepEqual([...new Set(listed.map((e) => e.replace(/^\.\//, '').replace(/\/$/, '')))].sort(), present, `${rel(k)}: resources vs files in ${rel(dir)}`);
    }
  });

  it('no two objects of one kind share a name', () => {
    const seen = new Map<string, string>();
    for (const { file, obj } of objects) {
      const key = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
      assert.ok(!seen.has(key), `${key} in ${file} and ${seen.get(key)}`);
      seen.set(key, file);
    }
  });

  it('has a server, a worker and a cavas db update', () => {
    const paths = cavasContainers.map((c) => splitArgs(c.container.args ?? []).path.join(' '));
    for (const p of ['server', 'worker', 'db update']) assert.ok(paths.includes(p), `no container runs cavas ${p}: ${paths.join(', ')}`);
  });

  it('every container runs as UID 10001, unprivileged, with a read-only root filesystem', () => {
    assert.ok(containers.length >= 4);
    for (const { pod, container, where } of containers) {
      const sc = effective(container, pod.template.spec);
      assert.equal(sc.runAsNonRoot, true, `${where}: runAsNonRoot`);
      assert.equal(sc.runAsUser, 10001, `${where}: runAsUser`);
      assert.equal(sc.allowPrivilegeEscalation, false, `${where}: allowPrivilegeEscalation`);
      assert.notEqual(sc.privileged, true, `${where}: privileged`);
      assert.equal(sc.readOnlyRootFilesystem, true, `${where}: readOnlyRootFilesystem`);
      assert.ok(sc.capabilities?.drop?.includes('ALL'), `${where}: capabilities.drop ALL`);
      assert.deepEqual(sc.capabilities?.add ?? [], [], `${where}: capabilities.add`);
    }
    for (const pod of pods) {
      assert.equal(pod.template.spec.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${pod.where}: seccompProfile`);
      assert.equal(pod.template.spec.automountServiceAccountToken, false, `${pod.where}: automountServiceAccountToken`);
    }
  });

  it('every container has CPU and memory requests and a memory limit', () => {
    for (const { container, where } of containers) {
      const r = container.resources;
      assert.ok(r?.requests?.cpu !== undefined, `${where}: requests.cpu`);
      assert.ok(r?.requests?.memory !== undefined, `${where}: requests.memory`);
      assert.ok(r?.limits?.memory !== undefined, `${where}: limits.memory`);
    }
  });

  it('every long-running container has readiness and liveness probes on ports it declares', () => {
    for (const { pod, container, init, where } of containers) {
      if (init || !pod.longRunning) continue;
      const path = splitArgs(container.args ?? []).path.join(' ');
      // `cavas worker` serves no HTTP while it has no --port: nothing to probe. Once it gets
      // one, this exception ends by itself and the worker needs probes like the server.
      if (isCavas(container) && path === 'worker' && !flagsFor(['worker'], where).spellings.has('--port')) continue;
      for (const kind of ['readinessProbe', 'livenessProbe'] as const) {
        const probe = container[kind];
        assert.ok(probe, `${where}: no ${kind}`);
        const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
        if (port !== undefined) assert.ok(portsOf(container).has(port), `${where}: ${kind} on undeclared port ${port}`);
      }
      if (isCavas(container)) {
        assert.equal(container.readinessProbe?.httpGet?.path, '/readyz', `${where}: readiness on /readyz`);
        assert.equal(container.livenessProbe?.httpGet?.path, '/healthz', `${where}: liveness on /healthz`);
      }
    }
  });

  it('every volume mount names a volume of its pod; cavas containers get a writable /tmp and cache dir', () => {
    for (const { pod, container, where } of containers) {
      const volumes = new Map((pod.template.spec.volumes ?? []).map((v) => [v.name, v]));
      for (const m of container.volumeMounts ?? []) {
        assert.ok(volumes.has(m.name) || pod.claimNames.includes(m.name), `${where}: mounts unknown volume ${m.name}`);
      }
      if (!isCavas(container)) continue;
      const writable = (path: string): boolean =>
        (container.volumeMounts ?? []).some((m) => {
          if (m.mountPath !== path || m.readOnly) return false;
          const v = volumes.get(m.name);
          return pod.claimNames.includes(m.name) || v?.emptyDir !== undefined || v?.persistentVolumeClaim !== undefined;
        });
      // the image sets CAVAS_CACHE_DIR=/var/cache/cavas; the root filesystem is read-only
      assert.ok(writable('/tmp'), `${where}: no writable /tmp`);
      assert.ok(writable('/var/cache/cavas'), `${where}: no writable /var/cache/cavas`);
    }
  });

  it('cavas containers run this version of the image', () => {
    assert.ok(cavasContainers.length >= 3);
    for (const { container, where } of cavasContainers) {
      assert.equal(container.image, `cavas:${pkg.version}`, where);
      assert.equal(container.command, undefined, `${where}: keeps the image's entrypoint (node .../main.js)`);
    }
  });

  it('cavas containers use only commands and flags the CLI has', () => {
    for (const { container, where } of cavasContainers) {
      const args = container.args ?? [];
      const { path, flags } = splitArgs(args);
      assert.ok(path.length > 0, `${where}: args ${JSON.stringify(args)} name no cavas command`);
      const known = flagsFor(path, where);
      for (const f of flags) assert.ok(known.spellings.has(f), `${where}: cavas ${path.join(' ')} has no ${f}`);
    }
  });

  it('every CAVAS_* variable of a cavas container is a flag of its command', () => {
    for (const { container, where } of cavasContainers) {
      const { path } = splitArgs(container.args ?? []);
      const known = flagsFor(path, where);
      for (const e of container.env ?? []) {
        if (!e.name.startsWith('CAVAS_')) continue;
        assert.ok(known.env.has(e.name), `${where}: ${e.name} is not a setting of cavas ${path.join(' ')} (${[...known.env].sort().join(', ')})`);
      }
    }
  });

  it('every Secret and ConfigMap a pod reads exists, with the key it reads', () => {
    const secrets = new Map(objects.filter((o) => o.obj.kind === 'Secret').map((o) => [o.obj.metadata.name, { ...o.obj.data, ...o.obj.stringData }]));
    const configMaps = new Map(objects.filter((o) => o.obj.kind === 'ConfigMap').map((o) => [o.obj.metadata.name, o.obj.data ?? {}]));
    for (const { pod, container, where } of containers) {
      for (const e of container.env ?? []) {
        const s = e.valueFrom?.secretKeyRef;
        if (s) assert.ok(secrets.get(s.name)?.[s.key] !== undefined, `${where}: ${e.name} reads missing secret key ${s.name}/${s.key}`);
        const c = e.valueFrom?.configMapKeyRef;
        if (c) assert.ok(configMaps.get(c.name)?.[c.key] !== undefined, `${where}: ${e.name} reads missing config key ${c.name}/${c.key}`);
      }
      for (const v of pod.template.spec.volumes ?? []) {
        if (v.configMap) assert.ok(configMaps.has(v.configMap.name), `${pod.where}: volume ${v.name} names missing ConfigMap ${v.configMap.name}`);
        if (v.secret) assert.ok(secrets.has(v.secret.secretName), `${pod.where}: volume ${v.name} names missing Secret ${v.secret.secretName}`);
      }
    }
  });

  it('the example Secret says it is an example', () => {
    for (const { file, obj } of objects.filter((o) => o.obj.kind === 'Secret')) {
      assert.match(file, /\.example\.ya?ml$/, `${file}: a Secret outside an *.example.yaml file`);
      for (const [k, v] of Object.entries({ ...obj.data, ...obj.stringData })) assert.match(v, /EXAMPLE/, `${file}: ${k} does not look like an example value`);
    }
  });

  it('cavas.yaml in the ConfigMap has only settings cavas knows', () => {
    const cfg = cavasYaml();
    assert.ok(cfg, 'no ConfigMap with a cavas.yaml key');
    const readers = cavasContainers.filter((c) => (c.container.env ?? []).some((e) => e.name === 'CAVAS_CONFIG'));
    assert.equal(readers.length, cavasContainers.length, 'every cavas container reads it through CAVAS_CONFIG');
    checkCavasYaml(cfg.values, cfg.where);
  });

  it('pods get longer to stop than cavas waits for its work, preStop pause included', () => {
    const cfg = cavasYaml();
    for (const { pod, container, init, where } of cavasContainers) {
      if (init || !pod.longRunning) continue;
      const command = splitArgs(container.args ?? []).path.join(' ');
      const timeout = parseDuration(durationSetting(cfg?.values, command, 'shutdown-timeout') ?? '30s', 'shutdown-timeout');
      const sleep = container.lifecycle?.preStop?.exec?.command;
      const pause = sleep?.[0] === 'sleep' ? Number(sleep[1]) * 1000 : 0;
      const grace = (pod.template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
      assert.ok(grace > timeout + pause, `${where}: terminationGracePeriodSeconds ${grace / 1000} s <= shutdown ${timeout / 1000} s + preStop ${pause / 1000} s`);
    }
  });

  it('the server listens on all interfaces on the port its container declares', () => {
    const servers = cavasContainers.filter((c) => splitArgs(c.container.args ?? []).path[0] === 'server');
    assert.ok(servers.length >= 1);
    for (const { container, where } of servers) {
      const args = container.args ?? [];
      const value = (flag: string): string | undefined => {
        const i = args.indexOf(flag);
        if (i >= 0) return args[i + 1];
        return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
      };
      // the default 127.0.0.1 is unreachable from outside the pod
      assert.equal(value('--host'), '0.0.0.0', `${where}: --host`);
      const port = Number(value('--port') ?? 8080);
      assert.ok((container.ports ?? []).some((p) => p.containerPort === port), `${where}: no containerPort ${port}`);
    }
  });

  it('every Service and NetworkPolicy selects pods, on ports they declare', () => {
    const podLabels = pods.map((p) => ({ pod: p, labels: p.template.metadata?.labels }));
    for (const { file, obj } of objects) {
      if (obj.kind === 'Service') {
        const selector = obj.spec?.selector as Labels | undefined;
        const selected = podLabels.filter((p) => labelsMatch(selector, p.labels));
        assert.ok(selected.length > 0, `${file} Service/${obj.metadata.name} selects no pod`);
        for (const port of obj.spec?.ports ?? []) {
          const target = port.targetPort ?? port.port;
          for (const { pod } of selected) {
            assert.ok(pod.template.spec.containers.some((c) => portsOf(c).has(target)), `${file} Service/${obj.metadata.name}: ${pod.where} has no port ${target}`);
          }
        }
      }
      if (obj.kind === 'NetworkPolicy') {
        const selector = obj.spec?.podSelector?.matchLabels;
        if (!selector || Object.keys(selector).length === 0) continue;
        const selected = podLabels.filter((p) => labelsMatch(selector, p.labels));
        assert.ok(selected.length > 0, `${file} NetworkPolicy/${obj.metadata.name} selects no pod`);
        for (const rule of obj.spec?.ingress ?? []) {
          for (const { port } of rule.ports ?? []) {
            if (port === undefined) continue;
            for (const { pod } of selected) {
              assert.ok(pod.template.spec.containers.some((c) => portsOf(c).has(port)), `${file} NetworkPolicy/${obj.metadata.name}: ${pod.where} has no port ${port}`);
            }
          }
        }
      }
    }
  });
});

describe('docs/server.md', () => {
  const doc = readFileSync(join(root, 'docs', 'server.md'), 'utf8');
  const blocks = [...doc.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }));

  it('its YAML examples parse, and its cavas.yaml examples have only known settings', () => {
    const yamlBlocks = blocks.filter((b) => b.lang === 'yaml');
    assert.ok(yamlBlocks.length >= 2);
    for (const b of yamlBlocks) {
      const values: unknown = parse(b.text);
      assert.ok(isMapping(values), b.text);
      if ('server' in values || 'worker' in values) checkCavasYaml(values, 'docs/server.md');
    }
  });

  it('its shell examples use only commands and flags the CLI has', () => {
    const commands = blocks
      .filter((b) => b.lang === 'sh')
      .flatMap((b) => b.text.replace(/\\\n/g, ' ').split('\n'))
      .flatMap((line) => {
        const rest = (m: RegExpMatchArray | null): string[] => (m ? [m[1]!] : []);
        return [
          // `cavas ARGS` at the start of a line, after any VAR=value assignments
          ...rest(/^\s*(?:[A-Z_]+=(?:"[^"]*"|'[^']*'|\S+)\s+)*cavas\s+([^#|;&]*)/.exec(line)),
          // the image run with ARGS (not `docker build -t cavas:VERSION .`)
          ...rest(/(?<!-t\s+)\bcavas:[\w.-]+\s+([^#|;&]*)/.exec(line)),
          // the CLI run inside a pod
          ...rest(/\/opt\/cavas\/dist\/cli\/main\.js\s+([^#|;&]*)/.exec(line)),
        ];
      });
    assert.ok(commands.length >= 8, commands.join('\n'));
    for (const c of commands) {
      const args = c.trim().split(/\s+/);
      const { path, flags } = splitArgs(args);
      assert.ok(path.length > 0, `docs/server.md: "cavas ${c.trim()}" names no command`);
      const known = flagsFor(path, 'docs/server.md');
      for (const f of flags) assert.ok(known.spellings.has(f), `docs/server.md: cavas ${path.join(' ')} has no ${f}`);
    }
  });

  it('names every CAVAS_* variable after a real flag', () => {
    const all = new Set(['server', 'worker', 'token create', 'db update'].flatMap((p) => [...flagsFor(p.split(' '), 'docs/server.md').env]));
    for (const m of doc.matchAll(/\bCAVAS_[A-Z_]+\b/g)) {
      if (m[0] === 'CAVAS_URL') continue; // the curl examples' own variable
      assert.ok(all.has(m[0]), `docs/server.md: ${m[0]} is no setting`);
    }
  });
});

/**
 * The "unknown key" check cavas runs at start-up. The real one needs every section's
 * command registered; until `server` and `worker` are, the same rule is applied to the
 * planned flags.
 */
function checkCavasYaml(values: Record<string, unknown>, where: string): void {
  const sections = Object.keys(values).filter((k) => isMapping(values[k]));
  if (sections.every((s) => findCommand([s]))) {
    assert.doesNotThrow(() => checkSettingsFile(program, { path: where, values }), where);
    return;
  }
  const normalize = (k: string): string => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()).replace(/_/g, '-');
  const everyKey = new Set(knownPaths().flatMap((p) => [...(commandFlags(p)?.keys ?? [])]));
  for (const o of program.options) everyKey.add(optionKey(o));
  const check = (scope: Record<string, unknown>, path: string[]): void => {
    // a section takes the keys of its command and of the command's subcommands
    const allowed =
      path.length === 0
        ? everyKey
        : new Set(knownPaths().filter((p) => path.every((n, i) => p[i] === n)).flatMap((p) => [...(flagsFor(p, where).keys)]));
    for (const [k, v] of Object.entries(scope)) {
      const sub = [...path, k];
      if (isMapping(v) && knownPaths().some((p) => sub.every((n, i) => p[i] === n))) {
        check(v, sub);
        continue;
      }
      assert.ok(allowed.has(normalize(k)) && !NOT_SETTINGS.has(normalize(k)) && normalize(k) !== 'config', `${where}: unknown setting "${[...path, k].join('.')}"`);
    }
  };
  check(values, []);
}
