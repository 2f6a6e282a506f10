/**
 * Helpers shared by the language-package extractors: which captured files are theirs,
 * and how a problem with one of them is reported (a warning, never a throw: one broken
 * manifest must not cost the scan of the whole image).
 */
import { PackageURL } from 'packageurl-js';
import type { CapturedFile } from '../image/filesystem.js';
import type { FileClaim } from '../image/layer.js';
import type { ExtractContext } from './extractor.js';

/** The visible (not deleted, not replaced) captured files a claim asked for, in layer order. */
export function visibleCaptures(ctx: ExtractContext, claim: Pick<FileClaim, 'wants'>): CapturedFile[] {
  // history() holds only captured files, far fewer than entries(); the entry is not needed by these claims
  return ctx.fs.history().filter((f) => f.removedInLayer === undefined && claim.wants(f.path, NO_ENTRY));
}

const NO_ENTRY = { path: '', type: 'file', mode: 0, size: 0, uid: 0, gid: 0 } as const;

/** Hostile input quoted in a warning must stay on one line and not drive the terminal. */
export function oneLine(text: string, max = 200): string {
  const flat = text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

export function warnFile(ctx: ExtractContext, file: Pick<CapturedFile, 'path' | 'layer'>, problem: string): void {
  ctx.warnings.push(oneLine(`layer ${file.layer}: ${file.path}: ${problem}`, 400));
}

/** The message of anything thrown, one line. */
export function reason(e: unknown): string {
  // YAML errors append a multi-line excerpt of the input after the first line
  const text = e instanceof Error ? e.message : String(e);
  return oneLine(text.split('\n')[0]!.replace(/:\s*$/, ''));
}

/** Parent directory of a root-relative path ('' at the root). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** JSON.parse for content the caller has already bounded; a non-object result is an error. */
export function parseJsonObject(text: string): Record<string, unknown> | unknown[] {
  const value: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (typeof value !== 'object' || value === null) throw new Error(`expected a JSON object, got ${value === null ? 'null' : typeof value}`);
  return value as Record<string, unknown> | unknown[];
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** purl of a language package (no distro qualifier: registries are not per-distro). Throws on an empty name. */
export function languagePurl(type: string, namespace: string | undefined, name: string, version: string): string {
  return new PackageURL(type, namespace, name, version, undefined, undefined).toString();
}
