import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReference, manifestReference, parseReference, registryApiHost } from '../../src/registry/reference.js';
import { CavasError } from '../../src/util/errors.js';

const D = `sha256:${'a'.repeat(64)}`;

/** input -> canonical form (registry/repository[:tag][@digest]). */
const VALID: Array<[string, string]> = [
  ['alpine', 'docker.io/library/alpine:latest'],
  ['alpine:3.16.9', 'docker.io/library/alpine:3.16.9'],
  ['docker://alpine:3.16', 'docker.io/library/alpine:3.16'],
  ['library/alpine', 'docker.io/library/alpine:latest'],
  ['user/app', 'docker.io/user/app:latest'],
  ['user/app:v1.2_rc-3', 'docker.io/user/app:v1.2_rc-3'],
  ['docker.io/alpine', 'docker.io/library/alpine:latest'],
  ['docker.io/library/alpine:edge', 'docker.io/library/alpine:edge'],
  ['index.docker.io/user/app', 'docker.io/user/app:latest'],
  ['index.docker.io/alpine', 'docker.io/library/alpine:latest'],
  ['localhost/repo', 'localhost/repo:latest'],
  ['localhost:5000/repo:tag', 'localhost:5000/repo:tag'],
  ['127.0.0.1:5001/a/b/c:1', '127.0.0.1:5001/a/b/c:1'],
  ['[::1]:5000/repo', '[::1]:5000/repo:latest'],
  ['[fd00::2]/repo:x', '[fd00::2]/repo:x'],
  ['registry.test/team/app', 'registry.test/team/app:latest'],
  ['registry.test:443/team/app:1', 'registry.test:443/team/app:1'],
  ['Registry.Test/app', 'Registry.Test/app:latest'],
  // Upper case cannot be a repository, so Docker takes the component as a host.
  ['Foo/bar', 'Foo/bar:latest'],
  ['myhost:5000/app', 'myhost:5000/app:latest'],
  [`alpine@${D}`, `docker.io/library/alpine@${D}`],
  [`alpine:3.16@${D}`, `docker.io/library/alpine:3.16@${D}`],
  [`localhost:5000/repo@${D}`, `localhost:5000/repo@${D}`],
  [`docker://localhost:5000/a/b:t@${D}`, `localhost:5000/a/b:t@${D}`],
  ['a__b/c-d/e.f_g', 'docker.io/a__b/c-d/e.f_g:latest'],
  ['a---b', 'docker.io/library/a---b:latest'],
  // A bare host:port with no path is Docker Hub's library/<host> with a numeric tag.
  ['localhost:5000', 'docker.io/library/localhost:5000'],
  ['localhost', 'docker.io/library/localhost:latest'],
  [`app:${'t'.repeat(128)}`, `docker.io/library/app:${'t'.repeat(128)}`],
];

/** input -> a fragment of the one-line message. */
const INVALID: Array<[string, string]> = [
  ['', 'empty reference'],
  ['docker://', 'empty reference'],
  [' alpine', 'white space'],
  ['alpine\n', 'white space'],
  ['Alpine', 'must be lowercase'],
  ['user/App', 'must be lowercase'],
  ['localhost:5000/Repo', 'must be lowercase'],
  ['alpine:', 'a tag has'],
  ['alpine:-x', 'a tag has'],
  [`alpine:${'t'.repeat(129)}`, 'a tag has'],
  ['alpine@sha256:abc', '64 lower-case hexadecimal'],
  [`alpine@sha256:${'A'.repeat(64)}`, '64 lower-case hexadecimal'],
  [`alpine@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm "md5"'],
  ['alpine@latest', 'a digest must look like'],
  ['-alpine', 'repository path components'],
  ['a//b', 'repository path components'],
  ['user/app/', 'repository path components'],
  ['a_.b', 'repository path components'],
  ['localhost:5000/', 'missing repository name'],
  [':tag', 'missing repository name'],
  ['bad_host.test/repo', 'is not a valid registry host'],
  ['host.test:99999/repo', 'port 99999 is out of range'],
  ['host.test:0/repo', 'port 0 is out of range'],
  ['a'.repeat(64).replace(/a/g, 'f'), 'image ID'],
  [`registry.test/${'a'.repeat(250)}`, 'longer than 255'],
];

describe('parseReference', () => {
  for (const [input, expected] of VALID) {
    it(`${JSON.stringify(input)} -> ${expected}`, () => {
      assert.equal(formatReference(parseReference(input)), expected);
    });
  }

  for (const [input, fragment] of INVALID) {
    it(`${JSON.stringify(input.slice(0, 40))} is rejected (${fragment})`, () => {
      assert.throws(
        () => parseReference(input),
        (e: unknown) =>
          e instanceof CavasError && e.code === 'USAGE' && e.message.includes(fragment) && !e.message.includes('\n'),
      );
    });
  }

  it('splits into fields; tag and digest both kept, digest wins for fetching', () => {
    const ref = parseReference(`registry.test:5000/team/app:1.0@${D}`);
    assert.deepEqual(ref, { registry: 'registry.test:5000', repository: 'team/app', tag: '1.0', digest: D });
    assert.equal(manifestReference(ref), D);
    assert.equal(manifestReference(parseReference('alpine')), 'latest');
    // A digest without a tag does not invent "latest".
    assert.equal(parseReference(`alpine@${D}`).tag, undefined);
  });

  it('a very long invalid input is quoted shortened in the message', () => {
    const e = (() => {
      try {
        parseReference(`UPPER${'x'.repeat(5000)}`);
      } catch (err) {
        return err as Error;
      }
      return undefined;
    })();
    assert.ok(e && e.message.length < 400, e?.message);
  });
});

describe('registryApiHost', () => {
  it('maps Docker Hub to its API host and leaves others alone', () => {
    assert.equal(registryApiHost('docker.io'), 'registry-1.docker.io');
    assert.equal(registryApiHost('localhost:5000'), 'localhost:5000');
    assert.equal(registryApiHost(parseReference('alpine').registry), 'registry-1.docker.io');
  });
});
