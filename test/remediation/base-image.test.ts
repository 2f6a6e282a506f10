import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { baseImageSplit } from '../../src/remediation/base-image.js';
import type { HistoryEntry, ImageMeta } from '../../src/types.js';
import { CavasError } from '../../src/util/errors.js';

const CORPUS = process.env.CAVAS_CORPUS ?? path.resolve(process.cwd(), '../shared/corpus');

/** An image whose layers are exactly the history's layer steps (as assembleImage builds it). */
function imageOf(steps: Array<[string, boolean]>, labels?: Record<string, string>): ImageMeta {
  let layer = 0;
  const history: HistoryEntry[] = steps.map(([createdBy, emptyLayer]) => (emptyLayer ? { createdBy, emptyLayer } : { createdBy, emptyLayer, layer: layer++ }));
  const layers = history.flatMap((h) => (h.layer === undefined ? [] : [{ index: h.layer, digest: `sha256:${h.layer}`, diffId: `sha256:d${h.layer}`, size: 1, createdBy: h.createdBy }]));
  return {
    ref: 'x',
    transport: 'docker-archive',
    tags: [],
    configDigest: 'sha256:c',
    platform: { os: 'linux', architecture: 'amd64' },
    layers,
    config: labels ? { Labels: labels } : {},
    history,
  };
}

function corpusImage(name: string): ImageMeta {
  const all = JSON.parse(readFileSync(path.join(CORPUS, 'images', 'corpus.json'), 'utf8')) as {
    images: Record<string, { history: Array<{ created_by: string; empty_layer: boolean }> }>;
  };
  return imageOf(all.images[name]!.history.map((h) => [h.created_by, h.empty_layer]));
}

describe('baseImageSplit on the corpus histories', () => {
  it('debian-app: layer 0 is the base, closed by CMD ["bash"]', () => {
    const s = baseImageSplit(corpusImage('debian-app'));
    assert.equal(s.baseLayers, 1);
    assert.equal(s.baseHistorySteps, 2);
    assert.match(s.evidence, /history\[1\] .*CMD.*bash.*9 later layers/);
  });
  for (const name of ['debian-base', 'alpine']) {
    it(`${name}: one root filesystem ADD and its CMD, all base`, () => {
      const s = baseImageSplit(corpusImage(name));
      assert.equal(s.baseLayers, 1);
      assert.equal(s.baseHistorySteps, 2);
    });
  }
  it('debian-distroless: COPY steps with no closing CMD give no base layers', () => {
    const s = baseImageSplit(corpusImage('debian-distroless'));
    assert.equal(s.baseLayers, 0);
    assert.match(s.evidence, /no closing CMD\/ENTRYPOINT/);
  });
});

describe('baseImageSplit heuristics', () => {
  it('classic builder #(nop) steps', () => {
    const s = baseImageSplit(
      imageOf([
        ['/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / ', false],
        ['/bin/sh -c #(nop)  CMD ["/bin/sh"]', true],
        ['/bin/sh -c apk add --no-cache curl', false],
        ['/bin/sh -c #(nop) COPY file:aa in /app ', false],
      ]),
    );
    assert.equal(s.baseLayers, 1);
  });
  it('the last closing step followed by layers wins (node on debian, then the app)', () => {
    const s = baseImageSplit(
      imageOf([
        ['# debian.sh --arch amd64 out/ bookworm @1700000000', false],
        ['CMD ["bash"]', true],
        ['RUN /bin/sh -c install node', false],
        ['ENTRYPOINT ["docker-entrypoint.sh"]', true],
        ['CMD ["node"]', true],
        ['COPY . /app # buildkit', false],
        ['RUN /bin/sh -c npm ci # buildkit', false],
        ['CMD ["node", "index.js"]', true],
        ['EXPOSE map[80/tcp:{}]', true],
      ]),
    );
    assert.equal(s.baseLayers, 2);
    assert.equal(s.baseHistorySteps, 5);
  });
  it("an app's trailing CMD followed only by empty steps is not a boundary", () => {
    const s = baseImageSplit(imageOf([['COPY app /app # buildkit', false], ['CMD ["/app"]', true], ['EXPOSE map[80/tcp:{}]', true]]));
    assert.equal(s.baseLayers, 0);
  });
  it('a RUN that mentions CMD is not a closing step', () => {
    const s = baseImageSplit(imageOf([['RUN /bin/sh -c echo CMD', false], ['CMD made a layer', false], ['RUN /bin/sh -c true', false]]));
    assert.equal(s.baseLayers, 0);
  });
  it('without a closing step, leading root filesystem ADDs are the base', () => {
    const s = baseImageSplit(imageOf([['ADD rootfs.tar.xz / # buildkit', false], ['RUN /bin/sh -c make', false]]));
    assert.equal(s.baseLayers, 1);
    assert.match(s.evidence, /root filesystem ADD/);
  });
  it('no history, or a history that does not map onto the layers: no base layers', () => {
    const img = imageOf([['ADD rootfs.tar.gz /', false], ['CMD ["bash"]', true], ['RUN x', false]]);
    assert.equal(baseImageSplit({ ...img, history: undefined }).baseLayers, 0);
    assert.equal(baseImageSplit({ ...img, layers: img.layers.slice(0, 1) }).baseLayers, 0);
    assert.match(baseImageSplit({ ...img, layers: img.layers.slice(0, 1) }).evidence, /names 2 layers but the image has 1/);
  });
  it('OCI base labels are mentioned but give no count', () => {
    const s = baseImageSplit(imageOf([['COPY a / # buildkit', false]], { 'org.opencontainers.image.base.name': 'debian:bookworm' }));
    assert.equal(s.baseLayers, 0);
    assert.match(s.evidence, /label org\.opencontainers\.image\.base\.name=debian:bookworm/);
  });
});

describe('baseImageSplit with a count from the caller', () => {
  const img = corpusImage('debian-app');
  it('overrides the history', () => {
    const s = baseImageSplit(img, { baseLayers: 4 });
    assert.equal(s.baseLayers, 4);
    // through L3's step (history[4]); the WORKDIR after it may be the application's
    assert.equal(s.baseHistorySteps, 5);
    assert.match(s.evidence, /given by the caller/);
    assert.equal(baseImageSplit(img, { baseLayers: 1 }).baseHistorySteps, 2);
    assert.equal(baseImageSplit(img, { baseLayers: 0 }).baseHistorySteps, 0);
    assert.equal(baseImageSplit(img, { baseLayers: 10 }).baseHistorySteps, 15);
  });
  for (const bad of [-1, 11, 1.5, Number.NaN]) {
    it(`rejects ${bad}`, () => {
      assert.throws(() => baseImageSplit(img, { baseLayers: bad }), (e: unknown) => e instanceof CavasError && e.code === 'USAGE');
    });
  }
});
