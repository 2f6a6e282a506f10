/** `cavas lint` as CI runs it: formats, filters, exit codes, output files, stdin, bad input. */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LintResult } from '../../src/check/dockerfile/render.js';
import { cavas, tempDir } from './cli.js';

const RISKY = ['FROM node', 'RUN curl -fsSL https://example.invalid/setup.sh | bash', 'ENV NPM_TOKEN=npm_0123456789', 'EXPOSE 3000 22'].join('\n') + '\n';
const CLEAN = [
  'FROM node:22-alpine@sha256:' + 'f'.repeat(64),
  'RUN apk add --no-cache tini',
  'USER node',
  'HEALTHCHECK CMD wget -q -O /dev/null http://localhost:3000/health',
  'ENTRYPOINT ["/sbin/tini", "--", "node", "server.js"]',
].join('\n');

let work: string;
let risky: string;
let clean: string;
before(() => {
  work = tempDir('lint-cli');
  risky = join(work, 'Dockerfile');
  clean = join(work, 'Dockerfile.clean');
  writeFileSync(risky, RISKY);
  writeFileSync(clean, CLEAN);
});
after(() => rmSync(work, { recursive: true, force: true }));

const json = (args: string[], input?: string): LintResult => {
  const r = cavas(['lint', ...args, '--format', 'json'], { input });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as LintResult;
};

describe('cavas lint', () => {
  it('table: one row per finding with line, rule, severity; exit 0 by default', () => {
    const r = cavas(['lint', risky]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^Dockerfile: ${risky}\n`));
    assert.match(r.stdout, /│ 2 +│ dockerfile\/curl-pipe-shell +│ HIGH /);
    assert.match(r.stdout, /│ 3 +│ config\/secret-in-env +│ HIGH /);
    assert.match(r.stdout, /│ 4 +│ config\/sensitive-port +│ MEDIUM +│ EXPOSE 22: port 22 is SSH/);
    assert.doesNotMatch(r.stdout, /npm_0123/, 'the secret value is not printed');
  });

  it('json: the lint-result document', () => {
    const doc = json([risky]);
    assert.equal(doc.schema, 'cavas.lint-result/v1');
    assert.deepEqual(doc.target, { kind: 'dockerfile', path: risky });
    assert.deepEqual(
      doc.findings.map((f) => [f.line, f.ruleId]),
      [
        [1, 'config/no-healthcheck'],
        [1, 'config/root-user'],
        [1, 'dockerfile/unpinned-base'],
        [2, 'dockerfile/curl-pipe-shell'],
        [3, 'config/secret-in-env'],
        [4, 'config/sensitive-port'],
      ],
    );
    assert.ok(doc.findings.every((f) => f.kind === 'config' && f.path === risky && f.references.length > 0));
    assert.equal(doc.summary.findings, 6);
    assert.equal(doc.summary.bySeverity.HIGH, 2);
    assert.deepEqual(json([clean]).findings, []);
  });

  it('--severity filters; --exit-code fires only when findings remain', () => {
    assert.deepEqual(json([risky, '--severity', 'HIGH+']).findings.map((f) => f.ruleId), ['dockerfile/curl-pipe-shell', 'config/secret-in-env']);
    assert.deepEqual(json([risky, '--severity', 'low']).findings.map((f) => f.ruleId), ['config/no-healthcheck']);
    assert.equal(cavas(['lint', risky, '--exit-code', '3']).status, 3);
    assert.equal(cavas(['lint', risky, '--severity', 'CRITICAL', '--exit-code', '3']).status, 0);
    assert.equal(cavas(['lint', clean, '--exit-code', '3']).status, 0);
  });

  it('-o writes the report to a file and nothing to stdout', () => {
    const out = join(work, 'lint.json');
    const r = cavas(['lint', risky, '-f', 'json', '-o', out, '--exit-code', '1']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal((JSON.parse(readFileSync(out, 'utf8')) as LintResult).summary.findings, 6);
  });

  it('reads standard input for -', () => {
    const doc = json(['-'], RISKY);
    assert.equal(doc.target.path, '<stdin>');
    assert.equal(doc.findings.length, 6);
  });

  it('bad input and usage errors: one line on stderr, exit 2', () => {
    const cases: Array<[string[], string | undefined, RegExp]> = [
      [['lint', join(work, 'missing')], undefined, /^cavas: error: .*missing: no such file\n$/],
      [['lint', '-'], '', /^cavas: error: <stdin>: empty file, not a Dockerfile\n$/],
      [['lint', '-'], 'hello world\n', /^cavas: error: <stdin>: line 1: unknown instruction "hello"\n$/],
      [['lint', risky, '--severity', 'SEVERE'], undefined, /^cavas: error: unknown severity "SEVERE"/],
      [['lint', risky, '--exit-code', 'x'], undefined, /^cavas: error: --exit-code must be 0\.\.255/],
      [['lint', risky, '--format', 'sarif'], undefined, /^cavas: error: option .* argument 'sarif' is invalid/],
    ];
    for (const [args, input, stderr] of cases) {
      const r = cavas(args, { input });
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, stderr);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
  });
});
