import type { Ecosystem } from '../types.js';

/** One versioning scheme: how an ecosystem orders its version strings. */
export interface VersionScheme {
  readonly ecosystem: Ecosystem;
  /** Negative if a < b, 0 if equal, positive if a > b. Throws CavasError for invalid input. */
  compare(a: string, b: string): number;
  isValid(v: string): boolean;
}
