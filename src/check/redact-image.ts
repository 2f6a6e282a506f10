/**
 * Reports show the image config (Env, Labels, history) verbatim; a secret in it must not
 * leak through them. Values of secret-named variables and anything the secret rules
 * recognise are replaced by their redacted form (first 4 characters, then ****).
 */
import type { ImageMeta } from '../types.js';
import { isPlaceholderValue, looksSecretName, redactValue } from './config/secret-names.js';
import { redactSecrets } from './secret/detect.js';

/** NAME=value pairs inside a command line or ENV step; quotes kept with the value. */
const ASSIGNMENT_RE = /\b([A-Za-z_][A-Za-z0-9_.-]*)=("[^"]*"|'[^']*'|[^\s"']+)/g;

function redactAssignments(text: string): string {
  return text.replace(ASSIGNMENT_RE, (whole, name: string, value: string) => {
    if (!looksSecretName(name) || isPlaceholderValue(value)) return whole;
    const q = value[0] === '"' || value[0] === "'" ? value[0] : '';
    const bare = q ? value.slice(1, -1) : value;
    return `${name}=${q}${redactValue(bare)}${q}`;
  });
}

export function redactText(text: string): string {
  return redactSecrets(redactAssignments(text));
}

/** A copy of the image description with secrets in its config and history redacted. */
export function redactImage(image: ImageMeta): ImageMeta {
  const config = { ...image.config };
  if (config.Env) config.Env = config.Env.map(redactText);
  if (config.Labels) {
    config.Labels = Object.fromEntries(
      Object.entries(config.Labels).map(([k, v]) => [k, looksSecretName(k) && !isPlaceholderValue(v) ? redactValue(v) : redactText(v)]),
    );
  }
  const out: ImageMeta = { ...image, config };
  if (image.history) out.history = image.history.map((h) => (h.createdBy ? { ...h, createdBy: redactText(h.createdBy) } : h));
  out.layers = image.layers.map((l) => (l.createdBy ? { ...l, createdBy: redactText(l.createdBy) } : l));
  return out;
}
