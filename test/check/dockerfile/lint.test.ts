import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readDockerfileInput } from '../../../src/check/dockerfile/input.js';
import { lintDockerfile, MAX_DOCKERFILE_BYTES } from '../../../src/check/dockerfile/lint.js';
import { lintResult, renderLintJson, renderLintTable } from '../../../src/check/dockerfile/render.js';
import { dockerfileRules } from '../../../src/check/dockerfile/rules/index.js';
import { SENSITIVE_PORTS, sensitivePort, sensitivePortsIn } from '../../../src/check/dockerfile/ports.js';
import { CavasError } from '../../../src/util/errors.js';

const TEXT = ['FROM nginx:latest', 'USER root', 'RUN curl -fsSL https://example.invalid/x | sh', 'EXPOSE 22'].join('\n');

const isBadInput =
  (message: RegExp) =>
  (e: unknown): boolean =>
    e instanceof CavasError && e.code === 'BAD_INPUT' && message.test(e.message) && !e.message.includes('\n');

describe('lintDockerfile', () => {
  it('returns config findings with the rule fields and the Dockerfile path, in line order', () => {
    const findings = lintDockerfile(TEXT, 'app/Dockerfile');
    assert.deepEqual(
      findings.map((f) => [f.line, f.ruleId]),
      [
        [1, 'config/latest-base'],
        [1, 'config/no-healthcheck'],
        [2, 'config/root-user'],
        [3, 'dockerfile/curl-pipe-shell'],
        [4, 'config/sensitive-port'],
      ],
    );
    const root = findings.find((f) => f.ruleId === 'config/root-user')!;
    assert.deepEqual(root, {
      kind: 'config',
      ruleId: 'config/root-user',
      severity: 'MEDIUM',
      title: 'Image runs as root',
      message: 'USER root in the final stage: the container runs as root',
      remediation: 'Add USER with a non-root user (e.g. USER 10001) to the final stage',
      references: ['CIS Docker 4.1', 'NIST SP 800-190 3.1.2'],
      path: 'app/Dockerfile',
      line: 2,
    });
  });

  it('skips disabled rules', () => {
    const findings = lintDockerfile(TEXT, 'Dockerfile', { disabled: new Set(['config/root-user', 'config/no-healthcheck']) });
    assert.deepEqual(findings.map((f) => f.ruleId), ['config/latest-base', 'dockerfile/curl-pipe-shell', 'config/sensitive-port']);
  });

  it('rejects empty, oversized and non-Dockerfile input with a one-line BAD_INPUT naming the file', () => {
    assert.throws(() => lintDockerfile('  \n\n', 'x/Dockerfile'), isBadInput(/^x\/Dockerfile: empty file/));
    assert.throws(() => lintDockerfile('FROM a\n' + '#'.repeat(MAX_DOCKERFILE_BYTES), 'big'), isBadInput(/^big: larger than 1 MiB/));
    assert.throws(() => lintDockerfile('<html>\n<body>', 'index.html'), isBadInput(/^index\.html: line 1: unknown instruction/));
  });

  it('stays linear on a huge RUN (10000 continuation lines)', () => {
    const text = 'FROM a\nRUN ' + 'apt-get install -y --no-install-recommends x && \\\n'.repeat(10_000) + 'true\n';
    const start = Date.now();
    const findings = lintDockerfile(text, 'Dockerfile');
    assert.ok(Date.now() - start < 10_000, `took ${Date.now() - start} ms`);
    assert.deepEqual(findings.filter((f) => f.ruleId === 'config/package-cache').map((f) => f.line), [2]);
  });

  it('reads a file with a byte order mark and CRLF line ends', () => {
    const findings = lintDockerfile('\uFEFFFROM a:1\r\nUSER 0\r\nHEALTHCHECK NONE\r\n', 'Dockerfile');
    assert.deepEqual(findings.map((f) => [f.line, f.ruleId]), [
      [1, 'dockerfile/unpinned-base'],
      [2, 'config/root-user'],
    ]);
  });
});

describe('dockerfileRules', () => {
  it('has unique ids, config kind, references and remediation on every rule', () => {
    const ids = dockerfileRules.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const r of dockerfileRules) {
      assert.match(r.id, /^(config|dockerfile)\/[a-z0-9-]+$/);
      assert.equal(r.kind, 'config');
      assert.ok(r.title && r.remediation && r.references.length > 0, r.id);
      assert.ok(r.references.every((ref) => /^(CIS Docker \d+\.\d+|NIST SP 800-190 \d+\.\d+\.\d+)$/.test(ref)), r.id);
    }
  });
});

describe('sensitive ports', () => {
  it('names the service of remote-admin ports and nothing else', () => {
    assert.equal(sensitivePort(22)?.service, 'SSH');
    assert.equal(sensitivePort(5909)?.service, 'VNC');
    assert.equal(sensitivePort(5910), undefined);
    assert.equal(sensitivePort(443), undefined);
    assert.ok(SENSITIVE_PORTS.some((p) => p.from === 3389));
  });
  it('reads EXPOSE and ExposedPorts specs', () => {
    assert.deepEqual(sensitivePortsIn('22/tcp'), [{ port: 22, service: 'SSH' }]);
    assert.deepEqual(sensitivePortsIn('500-520/udp').map((p) => p.port), [512, 513, 514]);
    assert.deepEqual(sensitivePortsIn('${PORT}'), []);
    assert.deepEqual(sensitivePortsIn('30-20'), []);
  });
});

describe('lint reports', () => {
  const result = lintResult('Dockerfile', lintDockerfile(TEXT, 'Dockerfile'));
  it('json carries schema, tool, target, findings and counts by severity', () => {
    const doc = JSON.parse(renderLintJson(result)) as typeof result;
    assert.equal(doc.schema, 'cavas.lint-result/v1');
    assert.equal(doc.tool.name, 'cavas');
    assert.deepEqual(doc.target, { kind: 'dockerfile', path: 'Dockerfile' });
    assert.equal(doc.findings.length, 5);
    assert.deepEqual(doc.summary, { findings: 5, bySeverity: { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 2, NEGLIGIBLE: 0, UNKNOWN: 0 } });
  });
  it('table lists line, rule, severity and message, colour only when asked', () => {
    const plain = renderLintTable(result, { color: false });
    assert.match(plain, /Total: 5 \(CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 2/);
    assert.match(plain, /│ 3 +│ dockerfile\/curl-pipe-shell +│ HIGH +│ curl output is piped into sh/);
    assert.ok(!plain.includes('\x1b'));
    assert.ok(renderLintTable(result, { color: true }).includes('\x1b[31mHIGH\x1b[0m'));
    assert.doesNotMatch(renderLintTable(lintResult('Dockerfile', []), { color: false }), /Rule/);
  });
  it('table never passes control characters from the Dockerfile to the terminal', () => {
    const hostile = lintResult('evil\x1b]0;x\x07', lintDockerfile('FROM a\nADD "x\x1b[2Jy" /z', 'Dockerfile'));
    const table = renderLintTable(hostile, { color: false });
    assert.ok(hostile.findings.some((f) => f.message.includes('\x1b[2J')), 'the message quotes the escape');
    assert.ok(![...table].some((c) => c !== '\n' && (c < ' ' || c === '\x7f')), 'no control characters reach the table');
  });
});

describe('readDockerfileInput', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cavas-lint-input-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const stream = async function* (...chunks: string[]): AsyncGenerator<Buffer> {
    for (const c of chunks) yield Buffer.from(c);
  };

  it('reads a file, or standard input for -', async () => {
    const file = join(dir, 'Dockerfile');
    writeFileSync(file, 'FROM a\n');
    assert.deepEqual(await readDockerfileInput(file), { path: file, text: 'FROM a\n' });
    assert.deepEqual(await readDockerfileInput('-', stream('FROM ', 'b\n')), { path: '<stdin>', text: 'FROM b\n' });
  });

  it('fails with one-line errors for missing, directory, binary, non-UTF-8 and oversized input', async () => {
    const code = (c: string, message: RegExp) => (e: unknown) => e instanceof CavasError && e.code === c && message.test(e.message);
    await assert.rejects(readDockerfileInput(join(dir, 'nope')), code('NOT_FOUND', /nope: no such file$/));
    await assert.rejects(readDockerfileInput(dir), code('BAD_INPUT', /is a directory/));
    writeFileSync(join(dir, 'bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]));
    await assert.rejects(readDockerfileInput(join(dir, 'bin')), code('BAD_INPUT', /binary file/));
    writeFileSync(join(dir, 'latin1'), Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x20, 0xe9]));
    await assert.rejects(readDockerfileInput(join(dir, 'latin1')), code('BAD_INPUT', /not UTF-8/));
    writeFileSync(join(dir, 'big'), Buffer.alloc(MAX_DOCKERFILE_BYTES + 1, 0x23));
    await assert.rejects(readDockerfileInput(join(dir, 'big')), code('BAD_INPUT', /larger than 1 MiB/));
    await assert.rejects(readDockerfileInput('-', stream('#'.repeat(MAX_DOCKERFILE_BYTES), '##')), code('BAD_INPUT', /<stdin>: larger than 1 MiB/));
  });
});
