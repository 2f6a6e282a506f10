/**
 * What the final image is configured to do at run time: its user, health check and
 * exposed ports. The final stage inherits these from the stages it is built FROM, so the
 * whole chain is read; builder stages that are only copied from do not matter.
 */
import type { RuleHit } from '../../rule.js';
import type { DfInstruction, DfStage, ParsedDockerfile } from '../parse.js';
import { sensitivePortsIn } from '../ports.js';
import { NIST_CONFIG, type DockerfileRule } from '../rule.js';

/** The last instruction with this keyword that applies to the final image. */
function lastInChain(df: ParsedDockerfile, keyword: string): DfInstruction | undefined {
  for (const stage of df.finalChain) {
    const found = stage.instructions.findLast((i) => i.keyword === keyword);
    if (found) return found;
  }
  return undefined;
}

/** The external image the final chain starts from. */
function rootBase(df: ParsedDockerfile): DfStage {
  return df.finalChain.at(-1)!;
}

/** distroless-style `:nonroot` tags set a non-root USER in the base image config. */
const NONROOT_TAG = /(^|[-_.])nonroot($|[-_.])/;

export const rootUser: DockerfileRule = {
  id: 'config/root-user',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'Image runs as root',
  remediation: 'Add USER with a non-root user (e.g. USER 10001) to the final stage',
  references: ['CIS Docker 4.1', NIST_CONFIG],
  check(df) {
    const user = lastInChain(df, 'USER');
    if (user) {
      const spec = user.args[0] ?? '';
      const name = spec.split(':')[0] ?? '';
      if (name === 'root' || /^0+$/.test(name)) return [{ line: user.line, message: `USER ${spec} in the final stage: the container runs as root` }];
      return [];
    }
    const base = rootBase(df).base;
    if (base?.tag && NONROOT_TAG.test(base.tag)) return [];
    return [{ line: df.final.from.line, message: 'no USER in the final stage: the container runs as root unless the base image sets another user' }];
  },
};

export const noHealthcheck: DockerfileRule = {
  id: 'config/no-healthcheck',
  kind: 'config',
  severity: 'LOW',
  title: 'No HEALTHCHECK',
  remediation: 'Add a HEALTHCHECK to the final stage (or HEALTHCHECK NONE to opt out on purpose)',
  references: ['CIS Docker 4.6', NIST_CONFIG],
  check(df) {
    // HEALTHCHECK NONE is a deliberate choice, so any HEALTHCHECK settles it
    if (lastInChain(df, 'HEALTHCHECK')) return [];
    return [{ line: df.final.from.line, message: 'the final stage has no HEALTHCHECK: failures inside the container go unnoticed' }];
  },
};

export const sensitivePort: DockerfileRule = {
  id: 'config/sensitive-port',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'Remote-administration port exposed',
  remediation: 'Remove the EXPOSE; administer containers through the orchestrator, not a login service inside them',
  references: ['CIS Docker 5.8', NIST_CONFIG],
  check(df) {
    const hits: RuleHit[] = [];
    for (const stage of [...df.finalChain].reverse()) {
      for (const ins of stage.instructions) {
        if (ins.keyword !== 'EXPOSE') continue;
        for (const spec of ins.args) {
          for (const { port, service } of sensitivePortsIn(spec)) hits.push({ line: ins.line, message: `EXPOSE ${spec}: port ${port} is ${service}` });
        }
      }
    }
    return hits;
  },
};
