import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { binaryExtractor, reduceBinary } from '../../../src/extract/binary/index.js';
import { ElfFile } from '../../../src/extract/binary/elf.js';
import { parseModInfo, readGoBuildInfo } from '../../../src/extract/golang/buildinfo.js';
import { goPackages, moduleVersion, stdlibVersion } from '../../../src/extract/golang/packages.js';
import { inventoryImage } from '../../../src/inventory.js';
import type { LayerEntry } from '../../../src/image/layer.js';
import { buildImage, file } from '../../fixtures/hostile-images.js';
import { IMAGES, withTimeout } from '../../image/hostile-helpers.js';
import { filesFromImage, imagePath } from '../fixtures/corpus-image.js';
import { compileC, goBinaryInline, goBinaryPointers, haveTool } from '../fixtures/elf.js';

const fzf = filesFromImage(imagePath('debian-app.docker.tar.gz'), (p) => p === 'usr/bin/fzf').get('usr/bin/fzf')!;

const MODINFO = [
  'path\texample.com/tool/cmd/tool',
  'mod\texample.com/tool\tv1.4.0\th1:aaaa=',
  'dep\tgolang.org/x/net\tv0.7.0\th1:bbbb=',
  'dep\tgithub.com/docker/docker\tv20.10.11+incompatible\th1:cccc=',
  'dep\tgithub.com/old/lib\tv1.0.0\th1:dddd=',
  '=>\tgithub.com/fork/lib\tv1.0.2\th1:eeee=',
  'dep\tgithub.com/local/lib\tv0.1.0',
  '=>\t../lib\t',
  'build\t-compiler=gc',
  '',
].join('\n');

describe('Go build info', () => {
  let dir: string;
  const gcc = haveTool('gcc');
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cavas-go-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the Debian fzf binary (Go 1.19, inline strings, GOPATH build: no module lines)', () => {
    const info = readGoBuildInfo(ElfFile.parse(fzf));
    assert.deepEqual(info, { goVersion: 'go1.19.8', path: 'github.com/junegunn/fzf', deps: [] });
    assert.deepEqual(goPackages(info, 'usr/bin/fzf', 3), [
      { ecosystem: 'go', name: 'stdlib', version: '1.19.8', purl: 'pkg:golang/stdlib@v1.19.8', layer: 3, paths: ['usr/bin/fzf'] },
    ]);
  });

  it('finds the header in writable segments when the section headers are gone', () => {
    const stripped = Buffer.from(fzf);
    // e_shoff, e_shnum, e_shstrndx of a 64-bit little-endian ELF
    stripped.writeBigUInt64LE(0n, 40);
    stripped.writeUInt16LE(0, 60);
    stripped.writeUInt16LE(0, 62);
    const elf = ElfFile.parse(stripped);
    assert.equal(elf.sections.length, 0);
    assert.equal(readGoBuildInfo(elf)?.goVersion, 'go1.19.8');
  });

  it('module lines: main module, deps, replacements (a local directory has no version)', { skip: !gcc && 'gcc not installed' }, () => {
    const bin = readFileSync(goBinaryInline(dir, 'inline', 'go1.21rc2', MODINFO));
    const info = readGoBuildInfo(ElfFile.parse(bin))!;
    assert.equal(info.goVersion, 'go1.21rc2');
    assert.deepEqual(info.main, { path: 'example.com/tool', version: 'v1.4.0' });
    const pkgs = goPackages(info, 'usr/local/bin/tool', 1);
    assert.deepEqual(
      pkgs.map((p) => [p.name, p.version, p.purl]),
      [
        ['stdlib', '1.21.0-rc.2', 'pkg:golang/stdlib@v1.21.0-rc.2'],
        ['example.com/tool', '1.4.0', 'pkg:golang/example.com/tool@v1.4.0'],
        ['golang.org/x/net', '0.7.0', 'pkg:golang/golang.org/x/net@v0.7.0'],
        ['github.com/docker/docker', '20.10.11+incompatible', 'pkg:golang/github.com/docker/docker@v20.10.11+incompatible'],
        ['github.com/fork/lib', '1.0.2', 'pkg:golang/github.com/fork/lib@v1.0.2'],
      ],
    );
  });

  it('reads the pointer layout of Go < 1.18 through the loaded segments', { skip: !gcc && 'gcc not installed' }, () => {
    const bin = readFileSync(goBinaryPointers(dir, 'pointers', 'go1.16.15', MODINFO));
    const info = readGoBuildInfo(ElfFile.parse(bin))!;
    assert.equal(info.goVersion, 'go1.16.15');
    assert.equal(info.path, 'example.com/tool/cmd/tool');
    assert.equal(info.deps.length, 4);
    assert.deepEqual(info.deps[2], { path: 'github.com/old/lib', version: 'v1.0.0', replace: { path: 'github.com/fork/lib', version: 'v1.0.2' } });
    assert.equal(goPackages(info, 'x', 0)[0]?.version, '1.16.15');
  });

  it('a C program is not a Go binary and leaves nothing behind', { skip: !gcc && 'gcc not installed' }, () => {
    const bin = readFileSync(compileC(dir, 'plain', 'int main(void){return 0;}\n'));
    assert.equal(readGoBuildInfo(ElfFile.parse(bin)), undefined);
    assert.equal(reduceBinary(bin), undefined);
  });

  it('(devel) main modules and devel toolchains give no version', () => {
    const info = { goVersion: 'devel go1.23-abcdef Tue Jan 1', ...parseModInfo('path\tx/y\nmod\tx/y\t(devel)\t\n') };
    assert.deepEqual(goPackages(info, 'p', 0), []);
  });

  it('toolchain names become the semver OSV uses for stdlib', () => {
    assert.equal(stdlibVersion('go1.19.8'), '1.19.8');
    assert.equal(stdlibVersion('go1.20'), '1.20.0');
    assert.equal(stdlibVersion('go1.9.2rc2'), '1.9.2-rc.2');
    assert.equal(stdlibVersion('go1.18beta1'), '1.18.0-beta.1');
    assert.equal(stdlibVersion('go1.22.0 X:boringcrypto'), '1.22.0');
    assert.equal(stdlibVersion('devel +abc'), undefined);
    assert.equal(moduleVersion('v0.0.0-20220906165146-f3363e06e74c'), '0.0.0-20220906165146-f3363e06e74c');
  });

  it('wants executables and files in bin directories, nothing else', () => {
    const e = (mode: number, size = 4096): LayerEntry => ({ path: '', type: 'file', mode, size, uid: 0, gid: 0 });
    assert.equal(binaryExtractor.wants('usr/bin/fzf', e(0o755)), true);
    assert.equal(binaryExtractor.wants('opt/x/tool', e(0o700)), true);
    assert.equal(binaryExtractor.wants('usr/local/bin/age', e(0o644)), true);
    assert.equal(binaryExtractor.wants('usr/share/doc/README', e(0o644)), false);
    assert.equal(binaryExtractor.wants('usr/bin/empty', e(0o755, 0)), false);
    assert.equal(binaryExtractor.sniff!(Buffer.from('#!/bin/sh\n')), false);
    assert.equal(binaryExtractor.sniff!(fzf.subarray(0, 16)), true);
  });
});

describe('Go binaries in images', () => {
  it('debian-app: fzf gives stdlib 1.19.8, owned by the fzf package', async () => {
    const { inventory, warnings } = await inventoryImage(join(IMAGES, 'debian-app.docker.tar.gz'));
    const go = inventory.packages.filter((p) => p.ecosystem === 'go');
    assert.deepEqual(go, [
      { ecosystem: 'go', name: 'stdlib', version: '1.19.8', purl: 'pkg:golang/stdlib@v1.19.8', layer: 3, paths: ['usr/bin/fzf'], ownedBy: 'fzf' },
    ]);
    assert.deepEqual(warnings.filter((w) => w.includes('binary')), []);
  });

  it('distroless: /usr/local/bin/age gives stdlib 1.19.8, owned by nothing', async () => {
    const { inventory } = await inventoryImage(join(IMAGES, 'debian-distroless.oci.tar'));
    const go = inventory.packages.filter((p) => p.ecosystem === 'go');
    assert.deepEqual(go, [
      { ecosystem: 'go', name: 'stdlib', version: '1.19.8', purl: 'pkg:golang/stdlib@v1.19.8', layer: 2, paths: ['usr/local/bin/age'] },
    ]);
  });

  it('malformed ELF files cost one warning each; the scan goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cavas-go-img-'));
    try {
      const truncated = fzf.subarray(0, 60);
      const pastEof = Buffer.from(fzf.subarray(0, 64 * 1024));
      // section headers claimed at their real offset, far past this 64 KiB prefix
      const pastSections = Buffer.from(fzf);
      const shoff = Number(pastSections.readBigUInt64LE(40));
      const shnum = pastSections.readUInt16LE(60);
      // .go.buildinfo's sh_offset, pushed past the end of the file
      for (let i = 0; i < shnum; i++) {
        const o = shoff + i * 64;
        if (pastSections.readBigUInt64LE(o + 16) === 0x6b9950n) pastSections.writeBigUInt64LE(BigInt(pastSections.length + 4096), o + 24);
      }
      const img = await buildImage(dir, {
        layout: 'docker',
        layers: [
          {
            entries: [
              file('usr/bin/fzf', fzf, 0o755),
              file('usr/bin/truncated', truncated, 0o755),
              file('usr/bin/cut-short', pastEof, 0o755),
              file('usr/bin/bad-section', pastSections, 0o755),
              file('usr/bin/script', '#!/bin/sh\necho hello from a long enough shell script, not an ELF\n', 0o755),
            ],
          },
        ],
      });
      const { inventory, warnings } = await withTimeout(inventoryImage(img.ref));
      assert.deepEqual(
        inventory.packages.map((p) => `${p.paths[0]} ${p.name}@${p.version}`),
        ['usr/bin/fzf stdlib@1.19.8'],
      );
      const bad = warnings.filter((w) => w.includes(': binary could not read it'));
      assert.equal(bad.length, 3, warnings.join('\n'));
      assert.match(bad.find((w) => w.includes('usr/bin/truncated')) ?? '', /truncated ELF header/);
      assert.match(bad.find((w) => w.includes('usr/bin/cut-short')) ?? '', /past the end of the file/);
      assert.match(bad.find((w) => w.includes('usr/bin/bad-section')) ?? '', /section \d+ lies past the end of the file/);
      assert.equal(warnings.length, 3, warnings.join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a 2 GB sparse executable in a dir: rootfs is skipped by size, not read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cavas-go-sparse-'));
    try {
      const big = join(dir, 'usr-bin-huge');
      writeFileSync(big, fzf.subarray(0, 4096), { mode: 0o755 });
      // extend to 2 GB without writing: the rest is a hole
      truncateSync(big, 2 * 1024 ** 3);
      const started = Date.now();
      const { inventory, warnings } = await withTimeout(inventoryImage(`dir:${dir}`));
      assert.ok(Date.now() - started < 10_000, 'took too long: was the file read?');
      assert.deepEqual(inventory.packages, []);
      assert.deepEqual(warnings, [`dir:${dir}: usr-bin-huge is ${2 * 1024 ** 3} bytes, over the binary limit of ${512 * 1024 * 1024}; not read`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
