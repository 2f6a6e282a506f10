/**
 * Java archives (.jar .war .ear .par, Jenkins .jpi .hpi). The claim reduces each archive
 * to its Maven coordinates while the layer streams, so only one archive is in memory at
 * a time; versioned symlinks (/usr/share/java) are not files and are not read twice.
 */
import { PackageURL } from 'packageurl-js';
import type { Package } from '../../types.js';
import { describeError } from '../../util/errors.js';
import { capturedFor } from '../binary/captured.js';
import type { Extractor } from '../extractor.js';
import { isJavaArchiveName, type JavaArtifact, scanJavaArchive } from './archive.js';

const FORMAT = 'jar/1';
const MARKER = Buffer.from(`{"cavas":"${FORMAT}"`);

interface JarSummary {
  cavas: typeof FORMAT;
  artifacts: JavaArtifact[];
  warnings: string[];
}

/** What the walker keeps of one archive (coordinates and warnings); throws if it is not a zip at all. */
export function reduceJavaArchive(path: string, content: Buffer): Buffer | undefined {
  const scan = scanJavaArchive(content, path);
  if (scan.artifacts.length === 0 && scan.warnings.length === 0) return undefined;
  const summary: JarSummary = { cavas: FORMAT, artifacts: scan.artifacts, warnings: scan.warnings };
  return Buffer.from(JSON.stringify(summary));
}

export function javaPackage(a: JavaArtifact, path: string, layer: number): Package {
  return {
    ecosystem: 'maven',
    name: `${a.groupId}:${a.artifactId}`,
    version: a.version,
    purl: new PackageURL('maven', a.groupId, a.artifactId, a.version, undefined, undefined).toString(),
    layer,
    // the archive inside the archive after '!', as markOwned expects
    paths: [a.inner ? `${path}!${a.inner}` : path],
  };
}

export const javaExtractor: Extractor = {
  name: 'java',
  maxBytes: 256 * 1024 * 1024,
  wants: (path) => isJavaArchiveName(path),
  // 'PK\3\4', or '#!' for an executable jar with a launch script in front
  sniff: (head) => head.length >= 4 && ((head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4) || (head[0] === 0x23 && head[1] === 0x21)),
  reduce: reduceJavaArchive,
  extract(ctx) {
    const out: Package[] = [];
    for (const file of capturedFor(ctx.fs, javaExtractor, MARKER)) {
      let summary: JarSummary;
      try {
        summary = JSON.parse(file.content.toString('utf8')) as JarSummary;
      } catch (e) {
        ctx.warnings.push(`${file.path}: unreadable archive summary (${describeError(e)})`);
        continue;
      }
      for (const w of summary.warnings) ctx.warnings.push(`${file.path}: ${w}`);
      for (const a of summary.artifacts) out.push(javaPackage(a, file.path, file.layer));
    }
    return out;
  },
};
