import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { jsonReporter } from '../../src/report/json.js';
import { SCAN_RESULT_SCHEMA, SEVERITY_ORDER, type ScanResult } from '../../src/types.js';
import { sampleResult } from './fixtures/sample-result.js';

// build/test/report/ -> repository root
const docs = new URL('../../../docs/', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('scan-result.schema.json', docs), 'utf8')) as Schema;
const prose = readFileSync(new URL('scan-result.md', docs), 'utf8');

interface Schema {
  $ref?: string;
  $defs?: Record<string, Schema>;
  type?: string;
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
}

function resolve(s: Schema): Schema {
  if (s.$ref === undefined) return s;
  const name = /^#\/\$defs\/(.+)$/.exec(s.$ref)?.[1];
  const target = name === undefined ? undefined : schema.$defs?.[name];
  if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
  return resolve(target);
}

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

/**
 * No JSON Schema validator is installed, so this is a structural check: every key of the value
 * is declared in the schema (no undocumented output), required keys are there, and types,
 * consts and enums hold. Keywords it does not know (pattern, if/then...) are not checked.
 */
function check(value: unknown, s: Schema, at: string, errors: string[]): void {
  s = resolve(s);
  if (s.anyOf) {
    const branches = s.anyOf.map((b) => {
      const e: string[] = [];
      check(value, b, at, e);
      return e;
    });
    if (!branches.some((e) => e.length === 0)) errors.push(`${at}: matches no anyOf branch (${branches.flat().join('; ')})`);
  }
  if (s.const !== undefined && value !== s.const) errors.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (s.type !== undefined) {
    const t = typeOf(value);
    const ok = s.type === 'integer' ? Number.isInteger(value) : s.type === t;
    if (!ok) errors.push(`${at}: ${t} where the schema says ${s.type}`);
  }
  if (typeOf(value) === 'object' && (s.properties || s.additionalProperties !== undefined)) {
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? []) if (!(key in obj)) errors.push(`${at}: required key "${key}" missing`);
    for (const [key, v] of Object.entries(obj)) {
      const sub = s.properties?.[key] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (sub) check(v, sub, `${at}.${key}`, errors);
      else errors.push(`${at}: key "${key}" is not in the schema`);
    }
  }
  if (Array.isArray(value) && s.items) value.forEach((v, i) => check(v, s.items as Schema, `${at}[${i}]`, errors));
}

function schemaErrors(value: unknown): string[] {
  const errors: string[] = [];
  check(value, schema, '$', errors);
  return errors;
}

function rendered(r: ScanResult): unknown {
  return JSON.parse(jsonReporter.render(r, { color: false }));
}

/** A result with only the required fields, as a dir: scan of an unknown root filesystem gives. */
function minimalResult(): ScanResult {
  return {
    schema: SCAN_RESULT_SCHEMA,
    tool: { name: 'cavas', version: '0.1.0' },
    scannedAt: '2026-07-11T10:16:37.000Z',
    image: {
      ref: 'dir:/srv/rootfs',
      transport: 'dir',
      tags: [],
      configDigest: '',
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      layers: [{ index: 0, digest: 'sha256:00', diffId: 'sha256:00', size: 0 }],
      config: {},
    },
    inventory: { packages: [] },
    findings: [],
    summary: { packages: 0, findings: 0, bySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, NEGLIGIBLE: 0, UNKNOWN: 0 }, fixable: 0 },
    warnings: [],
  };
}

describe('json reporter', () => {
  test('prints the result as indented JSON with a final newline, and it round-trips', () => {
    const out = jsonReporter.render(sampleResult(), { color: false });
    assert.ok(out.endsWith('}\n'));
    assert.ok(out.startsWith('{\n  "schema": "cavas.scan-result/v2",\n'));
    assert.deepEqual(JSON.parse(out), sampleResult());
  });

  test('ignores colour', () => {
    assert.equal(jsonReporter.render(sampleResult(), { color: true }), jsonReporter.render(sampleResult(), { color: false }));
  });
});

describe('docs/scan-result.schema.json', () => {
  test('the sample result matches the schema', () => {
    assert.deepEqual(schemaErrors(rendered(sampleResult())), []);
  });

  test('a result read from an SBOM (layers known by diff_id only, no config digest) matches the schema', () => {
    const r = sampleResult();
    r.image = { ...r.image, ref: 'sbom:bom.json', transport: 'sbom', configDigest: '', config: {}, layers: r.image.layers.map((l) => ({ index: l.index, digest: '', diffId: l.diffId, size: 0 })) };
    assert.deepEqual(schemaErrors(rendered(r)), []);
  });

  test('a result with only required fields matches the schema', () => {
    assert.deepEqual(schemaErrors(rendered(minimalResult())), []);
  });

  test('config, secret and malware findings, scanners, errors and history match the schema', () => {
    const r = rendered(sampleResult()) as Record<string, unknown> & { findings: unknown[]; image: Record<string, unknown>; summary: Record<string, unknown> };
    const base = { severity: 'HIGH', title: 't', message: 'm', remediation: 'r', references: ['NIST SP 800-190 3.1.4'] };
    r.findings.push(
      { kind: 'config', ruleId: 'config/root-user', ...base, field: 'config.User' },
      { kind: 'secret', ruleId: 'secret/private-key', ...base, path: 'root/.ssh/id_rsa', layer: 7, line: 1, removedInLayer: 9, match: 'MIIE****' },
      { kind: 'malware', ruleId: 'malware/known-hash', ...base, path: 'opt/a.war', layer: 0, signature: 'X', engine: 'hash', sha256: 'a'.repeat(64), member: 'b.jar!c' },
    );
    r.scanners = ['vuln', 'config', 'secret', 'malware'];
    r.errors = ['clamd at unix:/x: connect ENOENT; malware scan ran without ClamAV'];
    r.image.history = [{ createdBy: 'ENV A=b', emptyLayer: true }, { emptyLayer: false, layer: 0 }];
    r.summary.byKind = { vulnerability: 4, config: 1, secret: 1, malware: 1 };
    assert.deepEqual(schemaErrors(r), []);
  });

  test('the check catches undeclared keys, missing required keys and wrong types', () => {
    const extra = rendered(sampleResult()) as { findings: Array<Record<string, unknown>> };
    (extra.findings[0] as Record<string, unknown>).epss = 0.97;
    const extraErrors = schemaErrors(extra);
    assert.equal(extraErrors.length, 1);
    assert.match(extraErrors[0]!, /^\$\.findings\[0\]: matches no anyOf branch \(.*key "epss" is not in the schema/);

    const missing = rendered(sampleResult()) as { image: Record<string, unknown> };
    delete missing.image.configDigest;
    assert.deepEqual(schemaErrors(missing), ['$.image: required key "configDigest" missing']);

    const wrong = rendered(sampleResult()) as { summary: Record<string, unknown> };
    wrong.summary.fixable = '3';
    assert.deepEqual(schemaErrors(wrong), ['$.summary.fixable: string where the schema says integer']);
  });

  test('names the schema and the severities the code uses', () => {
    assert.equal(schema.properties?.schema?.const, SCAN_RESULT_SCHEMA);
    assert.deepEqual(schema.$defs?.severity?.enum, [...SEVERITY_ORDER]);
  });

  test('every field in the schema is documented in docs/scan-result.md', () => {
    const names = new Set<string>();
    const walk = (s: Schema): void => {
      for (const [k, sub] of Object.entries(s.properties ?? {})) {
        names.add(k);
        walk(sub);
      }
      if (s.items) walk(s.items);
      for (const sub of Object.values(s.$defs ?? {})) walk(sub);
    };
    walk(schema);
    assert.ok(names.size > 50, `only ${names.size} names found: the walk is broken`);
    // A field is documented when its table row names it, alone or as parent.field.
    const undocumented = [...names].filter((n) => !new RegExp('^\\| `([\\w\\[\\]]+\\.)?' + n + '` \\|', 'm').test(prose));
    assert.deepEqual(undocumented, []);
  });
});
