/**
 * Every config, secret and malware rule cavas has, one entry per id: the source of
 * docs/rules.md (kept in sync by a test) and of rule metadata in reports.
 */
import { fsRules } from './config/fs-rules.js';
import { imageRules } from './config/image-rules.js';
import { dockerfileRules } from './dockerfile/rules/index.js';
import { fileRules } from './files/index.js';
import { malwareRules } from './malware/rules.js';
import type { RuleInfo } from './rule.js';
import { secretRules } from './secret/rules.js';

export type RuleSurface = 'image' | 'dockerfile';

export interface CatalogEntry {
  rule: RuleInfo;
  /** Where the rule looks: the built image (scan), a Dockerfile (lint), or both. */
  surfaces: RuleSurface[];
}

function build(): Map<string, CatalogEntry> {
  const out = new Map<string, CatalogEntry>();
  const add = (rules: readonly RuleInfo[], surface: RuleSurface): void => {
    for (const rule of rules) {
      const seen = out.get(rule.id);
      if (!seen) out.set(rule.id, { rule, surfaces: [surface] });
      else if (!seen.surfaces.includes(surface)) seen.surfaces.push(surface);
    }
  };
  add([...imageRules, ...fsRules, ...fileRules, ...secretRules, ...malwareRules], 'image');
  add(dockerfileRules, 'dockerfile');
  return out;
}

export const ruleCatalog: ReadonlyMap<string, CatalogEntry> = build();

export function ruleInfo(id: string): RuleInfo | undefined {
  return ruleCatalog.get(id)?.rule;
}

const KIND_TITLE: Record<RuleInfo['kind'], string> = {
  config: 'Configuration defects (NIST SP 800-190 3.1.2)',
  secret: 'Embedded clear-text secrets (NIST SP 800-190 3.1.4)',
  malware: 'Embedded malware (NIST SP 800-190 3.1.3)',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** docs/rules.md, generated: `npm run docs:rules` writes it. */
export function renderRulesDoc(): string {
  const lines = [
    '# Rules',
    '',
    '<!-- generated from src/check/catalog.ts by `npm run docs:rules`; a test fails when this file is stale -->',
    '',
    'Every config, secret and malware finding names one of these rules by its stable id. `scan` checks',
    'the built image (config, history and every file of every layer); `lint` checks a Dockerfile. Where',
    'both can see the same mistake they use the same id. References are to the CIS Docker Benchmark',
    'v1.6 and NIST SP 800-190 (3.1.x: the risk, 4.1.x: its countermeasure).',
    '',
  ];
  for (const kind of ['config', 'secret', 'malware'] as const) {
    lines.push(`## ${KIND_TITLE[kind]}`, '', '| id | severity | checked in | title | remediation | references |', '|---|---|---|---|---|---|');
    const entries = [...ruleCatalog.values()].filter((e) => e.rule.kind === kind).sort((a, b) => a.rule.id.localeCompare(b.rule.id));
    for (const { rule, surfaces } of entries) {
      lines.push(`| \`${rule.id}\` | ${rule.severity} | ${surfaces.join(', ')} | ${cell(rule.title)} | ${cell(rule.remediation)} | ${cell(rule.references.join('; '))} |`);
    }
    lines.push('');
  }
  lines.push(
    'Severity is the rule\'s default; a finding may differ where the rule says why (a documented',
    'example key is LOW, a Tomcat user that can deploy code is CRITICAL, a secret build argument whose',
    'value is readable in the history is HIGH).',
    '',
  );
  return lines.join('\n');
}
