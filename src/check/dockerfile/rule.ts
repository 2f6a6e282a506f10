/**
 * A Dockerfile rule: the shared rule shape plus a check over the parsed file. Rules whose
 * meaning matches an image-config rule share its id (config/...); the rest are
 * dockerfile/... and exist only here.
 */
import type { RuleHit, RuleInfo } from '../rule.js';
import type { DfInstruction, DfStage, ParsedDockerfile } from './parse.js';
import type { ShellCommand, ShellPipeline } from './shell.js';

export interface DockerfileRule extends RuleInfo {
  readonly kind: 'config';
  /** Hits carry line and message; the runner sets path to the Dockerfile's. */
  check(df: ParsedDockerfile): RuleHit[];
}

export const NIST_CONFIG = 'NIST SP 800-190 3.1.2';
export const NIST_SECRETS = 'NIST SP 800-190 3.1.4';
export const NIST_UNTRUSTED = 'NIST SP 800-190 3.1.5';

/** Every instruction of the given stages with its stage. */
export function* instructionsOf(stages: readonly DfStage[]): Generator<{ stage: DfStage; ins: DfInstruction }> {
  for (const stage of stages) for (const ins of stage.instructions) yield { stage, ins };
}

/** Every RUN instruction that has a shell script. */
export function* runsOf(
  stages: readonly DfStage[],
): Generator<{ stage: DfStage; ins: DfInstruction; pipelines: ShellPipeline[]; commands: ShellCommand[] }> {
  for (const { stage, ins } of instructionsOf(stages)) {
    if (ins.keyword === 'RUN' && ins.script) yield { stage, ins, pipelines: ins.script, commands: ins.script.flat() };
  }
}

/** Targets of `--mount=type=cache` and `type=tmpfs`: what is written there stays out of the image. */
export function cacheMountTargets(ins: DfInstruction): string[] {
  const out: string[] = [];
  for (const f of ins.flags) {
    if (f.name !== 'mount' || !f.value) continue;
    const opts = new Map(f.value.split(',').map((kv) => {
      const eq = kv.indexOf('=');
      return eq === -1 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
    }));
    const type = opts.get('type');
    const target = opts.get('target') ?? opts.get('dst') ?? opts.get('destination');
    if ((type === 'cache' || type === 'tmpfs') && target) out.push(target.replace(/\/+$/, ''));
  }
  return out;
}

/** A secret-free rendering of a URL for messages: no user info, query or fragment. */
export function safeUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@').replace(/[?#].*$/, '');
}
