/** Secret findings from the layer pass (files) and from the image config (Env, Labels, history). */
import type { LayerAnalysis } from '../../image/layer.js';
import type { ImageMeta, SecretFinding } from '../../types.js';
import type { RemovalIndex } from '../removal.js';
import { findingFields, type RuleHit, type RuleInfo } from '../rule.js';
import { looksSecretName } from '../config/secret-names.js';
import { findSecrets } from './detect.js';
import { secretRules } from './rules.js';
import { SECRET_SCANNER_NAME, type SecretMatchRecord, type SecretScanOptions } from './scanner.js';

const GENERIC_RULE = 'secret/generic-assignment';

const byId = new Map<string, RuleInfo>(secretRules.map((r) => [r.id, r]));

function ruleFor(id: string): RuleInfo {
  return (
    byId.get(id) ?? {
      id,
      kind: 'secret',
      severity: 'MEDIUM',
      title: 'Secret',
      remediation: 'Remove the secret from the image, rotate it, and inject it at runtime.',
      references: ['NIST SP 800-190 3.1.4'],
    }
  );
}

function secretFinding(ruleId: string, hit: RuleHit, match: string): SecretFinding {
  return { kind: 'secret', ...findingFields(ruleFor(ruleId), hit), match };
}

export function layerSecretFindings(layers: readonly LayerAnalysis[], removal: RemovalIndex): SecretFinding[] {
  const out: SecretFinding[] = [];
  layers.forEach((layer, i) => {
    const records = (layer.scans?.[SECRET_SCANNER_NAME] ?? []) as SecretMatchRecord[];
    for (const r of records) {
      const removedInLayer = removal.removedIn(r.path, i);
      const message = removedInLayer === undefined ? r.message : `${r.message}; removed in layer ${removedInLayer}, still in the image`;
      out.push(secretFinding(r.ruleId, { path: r.path, layer: i, line: r.line, removedInLayer, severity: r.severity, message }, r.match));
    }
  });
  return out;
}

/**
 * Env, Labels and history are in the config blob every puller gets; the same rules as for
 * files apply. (Secret-looking variable names with plain values are config/secret-in-env.)
 */
export function configSecretFindings(image: ImageMeta, opts: SecretScanOptions = {}): SecretFinding[] {
  const disabled = new Set(opts.disabledRules ?? []);
  const texts: Array<{ field: string; text: string; named?: boolean }> = [];
  // a secret-named variable is config/secret-in-env already; the generic rule would say it twice
  (image.config.Env ?? []).forEach((e, i) => texts.push({ field: `config.Env[${i}]`, text: e, named: looksSecretName(e.split('=')[0]!) }));
  for (const [k, v] of Object.entries(image.config.Labels ?? {})) texts.push({ field: `config.Labels.${k}`, text: `${k}=${v}`, named: looksSecretName(k) });
  (image.history ?? []).forEach((h, i) => {
    if (h.createdBy) texts.push({ field: `history[${i}]`, text: h.createdBy });
  });
  const out: SecretFinding[] = [];
  for (const { field, text, named } of texts) {
    for (const m of findSecrets(text, { disabled, where: `in ${field}` })) {
      if (named && m.ruleId === GENERIC_RULE) continue;
      out.push(secretFinding(m.ruleId, { field, severity: m.severity, message: m.message }, m.match));
    }
  }
  return out;
}
