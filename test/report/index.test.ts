import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getReporter, reporters } from '../../src/report/index.js';
import { CavasError } from '../../src/util/errors.js';

describe('report registry', () => {
  test('lists every format under its own name', () => {
    assert.deepEqual(Object.keys(reporters), ['table', 'json', 'cyclonedx', 'sarif', 'spdx', 'markdown', 'html', 'junit']);
    for (const [key, reporter] of Object.entries(reporters)) {
      assert.equal(reporter.name, key);
      assert.ok(reporter.description.length > 0);
      assert.equal(getReporter(key), reporter);
    }
  });

  test('an unknown format is a usage error that lists the choices', () => {
    for (const name of ['xml', 'constructor', '__proto__', '']) {
      assert.throws(
        () => getReporter(name),
        (e: unknown) =>
          e instanceof CavasError &&
          e.code === 'USAGE' &&
          e.message === `unknown format "${name}" (choose table, json, cyclonedx, sarif, spdx, markdown, html, junit)`,
      );
    }
  });
});
