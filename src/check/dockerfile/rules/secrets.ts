/**
 * Secrets given to ENV, LABEL or ARG. ENV and LABEL values are stored in the image config;
 * an ARG default is written in the Dockerfile itself; a build-arg's value (even without a default) is
 * recorded in the image history of the stages that declare it.
 */
import type { RuleHit } from '../../rule.js';
// the image-config rules' heuristics, so a Dockerfile and the image built from it agree
import { isPlaceholderValue, looksSecretName } from '../../config/secret-names.js';
import type { DfInstruction, DfProperty } from '../parse.js';
import { NIST_SECRETS, type DockerfileRule } from '../rule.js';

/** A build arg whose value the builder supplies: none, empty, or another variable. */
function openValue(value: string | null): boolean {
  const v = (value ?? '').trim().replace(/^(["'])(.*)\1$/, '$2');
  return v === '' || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v);
}

function* secretProperties(instructions: Iterable<DfInstruction>): Generator<{ ins: DfInstruction; p: DfProperty }> {
  for (const ins of instructions) {
    if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG' && ins.keyword !== 'LABEL') continue;
    for (const p of ins.properties) if (looksSecretName(p.name)) yield { ins, p };
  }
}

export const secretInEnv: DockerfileRule = {
  id: 'config/secret-in-env',
  kind: 'config',
  severity: 'HIGH',
  title: 'Secret in image environment or labels',
  remediation: 'Pass secrets at run time (orchestrator secrets) or at build time with RUN --mount=type=secret; never as ENV, LABEL or an ARG default',
  references: ['CIS Docker 4.10', NIST_SECRETS],
  check(df) {
    const hits: RuleHit[] = [];
    const all = [...df.globalArgs, ...df.stages.flatMap((s) => s.instructions)];
    for (const { ins, p } of secretProperties(all)) {
      if (p.value === null || isPlaceholderValue(p.value)) continue;
      const where = ins.keyword !== 'ARG' ? 'is stored in the image config' : 'is written in the Dockerfile and the image history';
      hits.push({ line: p.line, message: `${ins.keyword} ${p.name} has a literal value, which ${where}` });
    }
    return hits;
  },
};

export const secretInArg: DockerfileRule = {
  id: 'config/secret-in-arg',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'Secret passed as a build argument',
  remediation: 'Use RUN --mount=type=secret (docker build --secret) instead of a build argument',
  references: ['CIS Docker 4.10', NIST_SECRETS],
  check(df) {
    const hits: RuleHit[] = [];
    // only stages of the final image: a builder stage's build args do not reach its history
    for (const { ins, p } of secretProperties(df.finalChain.flatMap((s) => s.instructions))) {
      if (ins.keyword !== 'ARG' || !openValue(p.value)) continue;
      hits.push({ line: p.line, message: `ARG ${p.name}: the value given with --build-arg is recorded in the image history` });
    }
    return hits;
  },
};
