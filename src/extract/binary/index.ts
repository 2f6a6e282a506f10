/**
 * ELF executables: Go build info and cargo-auditable crate lists. Binaries are big and
 * most are neither, so the claim sniffs the ELF magic and reduces each one to a few
 * hundred bytes of JSON while the layer streams; the binary itself is never kept.
 */
import type { Package } from '../../types.js';
import { describeError } from '../../util/errors.js';
import type { Extractor } from '../extractor.js';
import { type GoBuildInfo, readGoBuildInfo } from '../golang/buildinfo.js';
import { goPackages } from '../golang/packages.js';
import { type AuditableCrate, readCargoAuditable } from '../rust/auditable.js';
import { cratePackage } from '../rust/packages.js';
import { capturedFor } from './captured.js';
import { ElfFile, isElf } from './elf.js';

const FORMAT = 'binary/1';
const MARKER = Buffer.from(`{"cavas":"${FORMAT}"`);
/** The smallest ELF header (32-bit); anything shorter is not worth a look. */
const MIN_SIZE = 52;

export interface BinaryFacts {
  cavas: typeof FORMAT;
  go?: GoBuildInfo;
  rust?: AuditableCrate[];
}

/** What the walker keeps of one binary: undefined if it carries neither kind of data. Throws on a malformed ELF. */
export function reduceBinary(content: Buffer): Buffer | undefined {
  const elf = ElfFile.parse(content);
  const facts: BinaryFacts = { cavas: FORMAT };
  const go = readGoBuildInfo(elf);
  if (go) facts.go = go;
  const rust = readCargoAuditable(elf);
  if (rust) facts.rust = rust;
  return go || rust ? Buffer.from(JSON.stringify(facts)) : undefined;
}

export function binaryPackages(facts: BinaryFacts, path: string, layer: number): Package[] {
  const out: Package[] = facts.go ? goPackages(facts.go, path, layer) : [];
  for (const c of facts.rust ?? []) {
    if (c.source === 'local') continue;
    const pkg = cratePackage(c.name, c.version, path, layer);
    // build dependencies ran in build scripts and proc macros; none of their code is in the binary
    if (c.kind === 'build') pkg.dev = true;
    out.push(pkg);
  }
  return out;
}

/**
 * Must come after every other claim: the walker gives a file to the first claim that
 * wants it, and this one wants every executable (scripts are only dropped by the sniff).
 */
export const binaryExtractor: Extractor = {
  name: 'binary',
  maxBytes: 512 * 1024 * 1024,
  // called for every file: mode bits and a substring, nothing more
  wants: (path, entry) => entry.size >= MIN_SIZE && ((entry.mode & 0o111) !== 0 || path.includes('bin/')),
  sniff: isElf,
  reduce: (_path, content) => reduceBinary(content),
  extract(ctx) {
    const out: Package[] = [];
    for (const file of capturedFor(ctx.fs, binaryExtractor, MARKER)) {
      try {
        out.push(...binaryPackages(JSON.parse(file.content.toString('utf8')) as BinaryFacts, file.path, file.layer));
      } catch (e) {
        ctx.warnings.push(`${file.path}: unreadable binary summary (${describeError(e)})`);
      }
    }
    return out;
  },
};
