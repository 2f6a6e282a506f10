/**
 * `sbom:FILE` as a scan target: the packages come from the document instead of an image
 * walk, so only the vuln scanner has anything to look at.
 */
import type { ScannerName } from '../check/index.js';
import { CavasError } from '../util/errors.js';
import type { SbomInput } from './input.js';
import { readSbom } from './read.js';

const PREFIX = 'sbom:';

/** The file of an `sbom:FILE` target; undefined for any other target. */
export function sbomFile(target: string): string | undefined {
  if (!target.startsWith(PREFIX)) return undefined;
  const file = target.slice(PREFIX.length);
  if (file === '') throw new CavasError('USAGE', `"${target}": nothing after "${PREFIX}" (give the SBOM file: sbom:PATH)`);
  return file;
}

/**
 * The scanners an SBOM scan runs: vuln when nothing was asked for; scanners that need the
 * image's files (config, secret, malware) are dropped, with a warning when asked for by name.
 */
export function sbomScanners(requested: readonly ScannerName[] | undefined, warnings: string[]): Set<ScannerName> {
  if (requested === undefined) return new Set(['vuln']);
  const dropped = requested.filter((s) => s !== 'vuln');
  const kept = new Set(requested.filter((s) => s === 'vuln'));
  if (dropped.length > 0) {
    const what = kept.size > 0 ? 'only vulnerabilities are looked for' : 'nothing is looked for';
    warnings.push(`the ${dropped.join(', ')} scanner${dropped.length > 1 ? 's need' : ' needs'} an image, and an SBOM lists packages only: ${what}`);
  }
  return kept;
}

/**
 * Reads the SBOM of an `sbom:FILE` target. Its warnings start with `notes` (from
 * sbomScanners) and with the options an SBOM cannot honour.
 */
export async function readSbomTarget(target: string, opts: { platform?: string }, notes: readonly string[]): Promise<SbomInput> {
  const file = sbomFile(target);
  if (file === undefined) throw new CavasError('USAGE', `"${target}" is not an sbom:FILE target`);
  const first = [...notes];
  if (opts.platform !== undefined) first.push(`platform ${opts.platform} ignored: an SBOM lists the packages of the one image it was made from`);
  const input = await readSbom(file, { ref: target });
  return { ...input, warnings: [...first, ...input.warnings] };
}
