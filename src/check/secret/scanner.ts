/**
 * The secret pass over every layer: each text file of every layer (deleted ones included:
 * they are still in the image) is searched as it streams past. Only redacted matches are
 * kept, so neither the layer cache nor any report ever holds a secret.
 */
import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import type { FileSink, LayerEntry, LayerScan, LayerScanner } from '../../image/layer.js';
import type { Severity } from '../../types.js';
import { findSecrets } from './detect.js';
import { defaultAllowPaths, SECRET_RULES_VERSION } from './rules.js';

/** Bigger text files are generated data (bundles, dictionaries), not configuration. */
export const DEFAULT_SECRET_MAX_BYTES = 2 * 1024 * 1024;
/** A NUL byte in this many leading bytes marks a binary file. */
const SNIFF_BYTES = 8192;
/** Extensions of formats that are never text, skipped before a byte is read. */
const BINARY_EXT = /\.(so(\.\d+)*|a|o|pyc|mo|gz|tgz|xz|zst|bz2|lz4|zip|jar|war|ear|whl|deb|rpm|apk|png|jpe?g|gif|ico|webp|woff2?|ttf|otf|pdf|class|db|sqlite)$/i;

export interface SecretScanOptions {
  /** picomatch globs on root-relative paths (no leading slash) never searched. */
  allowPaths?: readonly string[];
  /** Rule ids not applied. */
  disabledRules?: readonly string[];
  maxBytes?: number;
}

export interface SecretMatchRecord {
  path: string;
  ruleId: string;
  line: number;
  /** Redacted. */
  match: string;
  severity: Severity;
  message: string;
}

export const SECRET_SCANNER_NAME = 'secret';

export class SecretScanner implements LayerScanner {
  readonly name = SECRET_SCANNER_NAME;
  readonly cacheKey: string;
  private readonly allowed: (path: string) => boolean;
  private readonly disabled: ReadonlySet<string>;
  private readonly maxBytes: number;

  constructor(opts: SecretScanOptions = {}) {
    const allow = [...defaultAllowPaths, ...(opts.allowPaths ?? [])];
    this.allowed = allow.length > 0 ? picomatch(allow, { dot: true }) : () => false;
    this.disabled = new Set(opts.disabledRules ?? []);
    this.maxBytes = opts.maxBytes ?? DEFAULT_SECRET_MAX_BYTES;
    const settings = JSON.stringify([SECRET_RULES_VERSION, allow, [...this.disabled].sort(), this.maxBytes]);
    this.cacheKey = 'secret/' + createHash('sha256').update(settings).digest('hex').slice(0, 16);
  }

  begin(): LayerScan {
    const found: SecretMatchRecord[] = [];
    return {
      file: (path, entry) => this.sink(path, entry, found),
      finish: () => found,
    };
  }

  private sink(path: string, entry: LayerEntry, found: SecretMatchRecord[]): FileSink | undefined {
    if (entry.size === 0 || entry.size > this.maxBytes || BINARY_EXT.test(path) || this.allowed(path)) return undefined;
    const parts: Buffer[] = [];
    let sniffed = 0;
    let binary = false;
    return {
      data(chunk) {
        if (binary) return;
        if (sniffed < SNIFF_BYTES) {
          const head = chunk.subarray(0, SNIFF_BYTES - sniffed);
          sniffed += head.length;
          if (head.includes(0)) {
            binary = true;
            parts.length = 0;
            return;
          }
        }
        parts.push(Buffer.from(chunk));
      },
      end: () => {
        if (binary || parts.length === 0) return;
        // latin1 maps each byte to one character: no decoding cost, and secrets are ASCII
        const text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('latin1');
        for (const m of findSecrets(text, { disabled: this.disabled })) {
          found.push({ path, ruleId: m.ruleId, line: m.line, match: m.match, severity: m.severity, message: m.message });
        }
      },
    };
  }
}
