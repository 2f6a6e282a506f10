import assert from 'node:assert/strict';
import { it } from 'node:test';
import { markOwned } from '../../src/extract/ownership.js';
import { inventoryImage } from '../../src/inventory.js';
import { ownedFiles } from '../../src/extract/ownership.js';
import type { Package } from '../../src/types.js';
import { IMAGES } from '../image/hostile-helpers.js';
import { join } from 'node:path';

it('dpkg file lists name the owner of a file; language packages in them get ownedBy', async () => {
  const { fs } = await inventoryImage(join(IMAGES, 'debian-app.docker.tar.gz'));
  const owners = ownedFiles(fs);
  assert.equal(owners.get('usr/bin/fzf'), 'fzf');
  assert.equal(owners.get('usr/share/java/jackson-databind.jar'), 'libjackson2-databind-java');
  assert.equal(owners.get('opt/app/lib/snakeyaml-1.33.jar'), undefined, 'copied in by the app, owned by nothing');
  const pkgs: Package[] = [
    { ecosystem: 'go', name: 'stdlib', version: '1.19.8', purl: 'pkg:golang/stdlib@1.19.8', layer: 3, paths: ['usr/bin/fzf'] },
    { ecosystem: 'maven', name: 'org.yaml:snakeyaml', version: '1.33', purl: 'pkg:maven/org.yaml/snakeyaml@1.33', layer: 4, paths: ['opt/app/lib/snakeyaml-1.33.jar'] },
  ];
  markOwned(pkgs, owners);
  assert.equal(pkgs[0]!.ownedBy, 'fzf');
  assert.equal(pkgs[1]!.ownedBy, undefined);
});

it('distroless status.d md5sums also count', async () => {
  const { fs } = await inventoryImage(join(IMAGES, 'debian-distroless.oci.tar'));
  const owners = ownedFiles(fs);
  assert.equal(owners.get('etc/ssl/certs/ca-certificates.crt') ?? owners.get('usr/share/ca-certificates/mozilla/ACCVRAIZ1.crt'), 'ca-certificates');
  assert.equal(owners.get('usr/local/bin/age'), undefined);
});
