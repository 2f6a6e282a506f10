/**
 * `cavas lint`: run the Dockerfile rule table over one file. Findings come back in file
 * order (line, then rule id), since a person fixes a Dockerfile top to bottom.
 */
import type { ConfigFinding } from '../../types.js';
import { CavasError } from '../../util/errors.js';
import { findingFields } from '../rule.js';
import { parseDockerfile } from './parse.js';
import { dockerfileRules } from './rules/index.js';

/** Real Dockerfiles are a few KiB; anything this big is not one. */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;

export interface LintOptions {
  /** Rule ids to skip. */
  disabled?: ReadonlySet<string>;
}

export function lintDockerfile(text: string, path: string, opts: LintOptions = {}): ConfigFinding[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_DOCKERFILE_BYTES) {
    throw new CavasError('BAD_INPUT', `${path}: larger than ${MAX_DOCKERFILE_BYTES / 1024 / 1024} MiB, not a Dockerfile`);
  }
  if (text.trim() === '') throw new CavasError('BAD_INPUT', `${path}: empty file, not a Dockerfile`);
  let df;
  try {
    df = parseDockerfile(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    if (e instanceof CavasError) throw new CavasError(e.code, `${path}: ${e.message}`);
    throw e;
  }
  const findings: ConfigFinding[] = [];
  for (const rule of dockerfileRules) {
    if (opts.disabled?.has(rule.id)) continue;
    for (const hit of rule.check(df)) findings.push({ kind: 'config', ...findingFields(rule, { ...hit, path }) });
  }
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.ruleId.localeCompare(b.ruleId));
}
