/**
 * FROM lines that name an external image. A stage alias or scratch is not a base image,
 * and a reference whose variables no global ARG default resolves cannot be judged.
 */
import type { RuleHit } from '../../rule.js';
import type { ParsedDockerfile } from '../parse.js';
import { NIST_UNTRUSTED, type DockerfileRule } from '../rule.js';

function bases(df: ParsedDockerfile): Array<{ line: number; ref: string; tag?: string; digest?: string }> {
  return df.stages.flatMap((s) => (s.base ? [{ line: s.from.line, ...s.base }] : []));
}

export const latestBase: DockerfileRule = {
  id: 'config/latest-base',
  kind: 'config',
  severity: 'LOW',
  title: 'Base image referenced by the latest tag',
  remediation: 'Use a specific version tag, ideally with its @sha256 digest',
  references: ['CIS Docker 4.2', NIST_UNTRUSTED],
  check(df) {
    return bases(df)
      .filter((b) => b.tag === 'latest' && !b.digest)
      .map((b) => ({ line: b.line, message: `FROM ${b.ref}: :latest changes under you, so builds are not reproducible` }));
  },
};

export const unpinnedBase: DockerfileRule = {
  id: 'dockerfile/unpinned-base',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'Base image not pinned',
  remediation: 'Pin the base image by digest: FROM image:tag@sha256:...',
  references: ['CIS Docker 4.2', NIST_UNTRUSTED],
  check(df) {
    const hits: RuleHit[] = [];
    for (const b of bases(df)) {
      if (b.digest || b.tag === 'latest') continue; // :latest is config/latest-base's
      if (b.tag === undefined) hits.push({ line: b.line, message: `FROM ${b.ref} has no tag or digest: it builds from whatever :latest is that day` });
      else hits.push({ line: b.line, severity: 'LOW', message: `FROM ${b.ref} has a tag but no digest: the tag can be moved to other content` });
    }
    return hits;
  },
};
