/**
 * ADD does more than COPY: it downloads URLs and unpacks local archives. Downloads need
 * a checksum; plain files should use COPY so nothing is unpacked or fetched by surprise.
 */
import type { RuleHit } from '../../rule.js';
import type { DfInstruction, ParsedDockerfile } from '../parse.js';
import { NIST_CONFIG, safeUrl, type DockerfileRule } from '../rule.js';

const REMOTE = /^[a-z][a-z0-9+.-]*:\/\//i;
const GIT = /^git@|\.git(#.*)?$/i;
/** What ADD unpacks (identity, gzip, bzip2, xz, zstd tar archives). */
const ARCHIVE = /\.(tar|tgz|taz|tar\.gz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst)$/i;

function addSources(ins: DfInstruction): string[] {
  // the last argument is the destination; heredoc sources are inline text
  return ins.args.slice(0, -1).filter((s) => !s.startsWith('<<'));
}

function adds(df: ParsedDockerfile): DfInstruction[] {
  return df.stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'ADD'));
}

export const addRemoteUrl: DockerfileRule = {
  id: 'config/add-remote-url',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'ADD downloads from a remote URL',
  remediation: 'Add --checksum=sha256:... to the ADD, or download in RUN and verify the checksum there',
  references: ['CIS Docker 4.9', NIST_CONFIG],
  check(df) {
    const hits: RuleHit[] = [];
    for (const ins of adds(df)) {
      if (ins.flags.some((f) => f.name === 'checksum' && f.value)) continue;
      for (const src of addSources(ins)) {
        if (/^https?:\/\//i.test(src)) hits.push({ line: ins.line, message: `ADD ${safeUrl(src)} is not verified: whatever the server sends goes into the image` });
      }
    }
    return hits;
  },
};

export const addInsteadOfCopy: DockerfileRule = {
  id: 'config/add-instead-of-copy',
  kind: 'config',
  severity: 'LOW',
  title: 'ADD used for local files',
  remediation: 'Use COPY for local files; keep ADD for archives that should be unpacked',
  references: ['CIS Docker 4.9', NIST_CONFIG],
  check(df) {
    const hits: RuleHit[] = [];
    for (const ins of adds(df)) {
      const plain = addSources(ins).filter((s) => !REMOTE.test(s) && !GIT.test(s) && !ARCHIVE.test(s) && !/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(s));
      if (plain.length > 0) hits.push({ line: ins.line, message: `ADD ${plain.join(' ')}: not an archive, so COPY does the same without ADD's extra behaviour` });
    }
    return hits;
  },
};
