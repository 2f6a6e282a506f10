import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDockerfile, parseImageRef } from '../../../src/check/dockerfile/parse.js';
import { CavasError } from '../../../src/util/errors.js';

const commandsOf = (text: string): Array<[string, number]> =>
  parseDockerfile(text)
    .final.instructions.flatMap((i) => i.script ?? [])
    .flat()
    .map((c) => [c.words.join(' '), c.line]);

describe('parseDockerfile: stages', () => {
  const df = parseDockerfile(
    [
      'ARG VERSION=3.20',
      'ARG TAGLESS',
      'FROM alpine:${VERSION} AS base', // 3
      'USER app',
      'FROM golang:1.22@sha256:' + 'a'.repeat(64) + ' as Build', // 5
      'FROM base AS final', // 6
      'FROM $TAGLESS', // 7
      'FROM scratch', // 8
      'FROM build', // 9
    ].join('\n'),
  );

  it('substitutes global ARG defaults into FROM and splits tag and digest', () => {
    assert.deepEqual(df.stages[0]!.base, { ref: 'alpine:3.20', name: 'alpine', tag: '3.20' });
    assert.equal(df.stages[1]!.base?.digest, 'sha256:' + 'a'.repeat(64));
    assert.equal(df.stages[1]!.name, 'build', 'stage names compare lower case');
  });

  it('links FROM <stage> to the stage instead of treating it as an image', () => {
    assert.equal(df.stages[2]!.parent, df.stages[0]);
    assert.equal(df.stages[2]!.base, undefined);
    assert.equal(df.stages[3]!.unresolvedBase, true);
    assert.equal(df.stages[4]!.base, undefined, 'scratch is no image');
    assert.equal(df.stages[4]!.parent, undefined);
  });

  it('the final chain runs from the last stage through its parents', () => {
    assert.deepEqual(df.finalChain.map((s) => s.from.line), [9, 5]);
    assert.deepEqual(df.globalArgs.map((a) => a.properties[0]?.name), ['VERSION', 'TAGLESS']);
  });
});

describe('parseDockerfile: RUN scripts', () => {
  it('joins continuations, drops comment lines inside them, and keeps each command on its own line', () => {
    const text = ['FROM a', 'RUN apt-get update && \\', '    # why', '', '    apt-get install -y \\', '      curl && \\', '    rm -rf /x'].join('\n');
    assert.deepEqual(commandsOf(text), [
      ['apt-get update', 2],
      ['apt-get install -y curl', 5],
      ['rm -rf /x', 7],
    ]);
  });

  it('honours the escape directive', () => {
    const text = ['# escape=`', 'FROM a', 'RUN echo a `', '  && echo b\\c'].join('\r\n');
    assert.deepEqual(commandsOf(text), [
      ['echo a', 3],
      ['echo bc', 4],
    ]);
  });

  it('reads heredoc scripts run by the shell, with their own lines, but not heredoc file contents', () => {
    const text = [
      'FROM a',
      'RUN <<EOF', // 2
      'set -e',
      'apt-get update',
      'EOF',
      'RUN cat <<CONF >/etc/x.conf && <<-SCRIPT bash -e', // 6
      'sudo rm -rf /',
      'CONF',
      '\tchmod 777 /srv',
      '\tSCRIPT',
      'RUN python3 <<PY', // 11
      'curl = 1',
      'PY',
    ].join('\n');
    assert.deepEqual(commandsOf(text), [
      ['', 2], // the bare <<EOF: no words, one heredoc
      ['set -e', 3],
      ['apt-get update', 4],
      ['cat >/etc/x.conf', 6],
      ['bash -e', 6],
      ['chmod 777 /srv', 9],
      ['python3', 11],
    ]);
  });

  it('reads exec form and sh -c scripts', () => {
    const text = ['FROM a', 'RUN ["/bin/sh", "-c", "apt-get update && apt-get install -y x"]', 'RUN bash -ec "curl u | sh"'].join('\n');
    assert.deepEqual(commandsOf(text), [
      ['/bin/sh -c apt-get update && apt-get install -y x', 2],
      ['apt-get update', 2],
      ['apt-get install -y x', 2],
      ['bash -ec curl u | sh', 3],
      ['curl u', 3],
      ['sh', 3],
    ]);
  });

  it('keeps every --mount flag', () => {
    const df = parseDockerfile('FROM a\nRUN --mount=type=cache,target=/a --mount=type=secret,id=t make');
    assert.deepEqual(df.final.instructions[0]!.flags.map((f) => f.value), ['type=cache,target=/a', 'type=secret,id=t']);
  });

  it('does not read RUN as shell after SHELL switches to PowerShell', () => {
    const df = parseDockerfile('FROM a\nRUN echo a\nSHELL ["pwsh", "-Command"]\nRUN Get-Item x | Remove-Item');
    assert.equal(df.final.instructions[0]!.script?.length, 1);
    assert.equal(df.final.instructions[2]!.script, undefined);
  });
});

describe('parseDockerfile: not a Dockerfile', () => {
  const bad = (text: string, message: RegExp): void => {
    assert.throws(
      () => parseDockerfile(text),
      (e: unknown) => e instanceof CavasError && e.code === 'BAD_INPUT' && message.test(e.message) && !e.message.includes('\n'),
    );
  };
  it('rejects files without instructions, binary files, prose and missing FROM', () => {
    bad('# just a comment\n\n', /no instructions/);
    bad('FROM a\0b', /binary/);
    bad('Hello there,\nthis is a letter.', /line 1: unknown instruction "Hello"/);
    bad('ARG X=1\nRUN echo', /line 2: expected FROM/);
  });
});

describe('parseImageRef', () => {
  it('tells a registry port from a tag', () => {
    assert.deepEqual(parseImageRef('registry.local:5000/team/app'), { ref: 'registry.local:5000/team/app', name: 'registry.local:5000/team/app' });
    assert.deepEqual(parseImageRef('registry.local:5000/app:1.2@sha256:ab'), {
      ref: 'registry.local:5000/app:1.2@sha256:ab',
      name: 'registry.local:5000/app',
      tag: '1.2',
      digest: 'sha256:ab',
    });
  });
});
