import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseShell, resolveCommand, runsStdin, shellCommandString } from '../../../src/check/dockerfile/shell.js';

const one = (): number => 1;
const words = (script: string): string[][] => parseShell(script, one).map((p) => p.map((c) => c.words.join(' ')));

describe('parseShell', () => {
  it('splits lists and pipelines, keeping pipes together', () => {
    assert.deepEqual(words('a x && b | c; d || e & f'), [['a x'], ['b', 'c'], ['d'], ['e'], ['f']]);
    assert.deepEqual(words('curl -s u |& bash'), [['curl -s u', 'bash']]);
  });

  it('removes quotes and keeps quoted operators inside words', () => {
    assert.deepEqual(words(`echo 'a | b' "c && \\"d\\"" e\\;f`), [[`echo a | b c && "d" e;f`]]);
  });

  it('keeps $(...), ${...} and process substitution whole', () => {
    assert.deepEqual(words('sh -c "$(curl -fsSL u | tr a b)" x${A:-y;z}'), [['sh -c $(curl -fsSL u | tr a b) x${A:-y;z}']]);
    assert.deepEqual(words('bash <(curl u)'), [['bash <(curl u)']]);
  });

  it('reads 2>&1 and &> as redirections, not background separators', () => {
    assert.deepEqual(words('make 2>&1 | tee log; cmd &>/dev/null'), [['make 2>&1', 'tee log'], ['cmd &>/dev/null']]);
  });

  it('skips comments and reserved words before commands', () => {
    assert.deepEqual(words('if true; then apt-get install x; fi # apt-get update\n! grep q f'), [['true'], ['apt-get install x'], ['fi'], ['grep q f']]);
  });

  it('records heredoc redirections on their command', () => {
    const script = parseShell('cat <<A >/x && <<-"B" bash -e', one);
    assert.deepEqual(
      script.map((p) => p.map((c) => [c.words, c.heredocs])),
      [[[['cat', '>/x'], ['A']]], [[['bash', '-e'], ['B']]]],
    );
    assert.deepEqual(words('cat <<<"here string"'), [['cat <<<here string']]);
  });

  it('gives each command the line its first word is on', () => {
    const text = 'a &&\n  b | c\n  d';
    const lineOf = (offset: number): number => 10 + text.slice(0, offset).split('\n').length - 1;
    assert.deepEqual(parseShell(text, lineOf).flat().map((c) => [c.words[0], c.line]), [['a', 10], ['b', 11], ['c', 11], ['d', 12]]);
  });
});

describe('resolveCommand', () => {
  it('looks through assignments and wrappers', () => {
    assert.deepEqual(resolveCommand(['DEBIAN_FRONTEND=noninteractive', 'sudo', '-E', '-u', 'root', '/usr/bin/apt-get', 'install', 'x']), {
      name: 'apt-get',
      args: ['install', 'x'],
      wrappers: ['sudo'],
      assignments: ['DEBIAN_FRONTEND=noninteractive'],
    });
    assert.equal(resolveCommand(['env', '-u', 'X', 'A=1', 'pip', 'install'])?.name, 'pip');
    assert.deepEqual(resolveCommand(['env', '-u', 'X', 'A=1', 'pip', 'install'])?.assignments, ['A=1']);
    assert.equal(resolveCommand(['timeout', '30', 'curl', 'u'])?.name, 'curl');
    assert.equal(resolveCommand(['A=1']), undefined);
  });
});

describe('runsStdin', () => {
  const runs = (...w: string[]): boolean => runsStdin(resolveCommand(w)!);
  it('is true for shells and interpreters reading their program from stdin', () => {
    for (const w of [['sh'], ['bash', '-e'], ['bash', '-s', '--', '--yes'], ['sh', '-'], ['python3'], ['python3', '-u', '-'], ['sudo', 'bash'], ['perl']]) {
      assert.equal(runs(...w), true, w.join(' '));
    }
  });
  it('is false when the program comes from an argument', () => {
    for (const w of [['sh', '-c', 'echo'], ['bash', '-ec', 'x'], ['bash', 'install.sh'], ['python3', '-c', 'import json'], ['python3', '-m', 'json.tool'], ['node', 'x.js'], ['tar', 'xz'], ['jq', '.']]) {
      assert.equal(runs(...w), false, w.join(' '));
    }
  });
});

describe('shellCommandString', () => {
  it('finds the script of sh -c', () => {
    assert.equal(shellCommandString(resolveCommand(['/bin/bash', '-o', 'pipefail', '-ec', 'apt-get update'])!), 'apt-get update');
    assert.equal(shellCommandString(resolveCommand(['bash', 'script.sh'])!), undefined);
    assert.equal(shellCommandString(resolveCommand(['python3', '-c', 'x'])!), undefined);
  });
});
