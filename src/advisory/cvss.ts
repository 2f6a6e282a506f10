/**
 * CVSS base scores from vector strings, computed by ae-cvss-calculator (the CVSS 4.0
 * macro-vector lookup is not something to hand-write).
 */
// The package is a CommonJS bundle whose named exports Node cannot detect, so only the
// default import (module.exports) works at run time.
import cvssLib from 'ae-cvss-calculator';

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

export interface CvssScore {
  score: number;
  version: CvssVersion;
}

interface ScoredVector {
  getVectorName(): string;
  isBaseFullyDefined(): boolean;
  calculateScores(): { base?: number; baseMetricsOnly?: number };
}

const VERSION_BY_NAME: Readonly<Record<string, CvssVersion>> = {
  'CVSS:2.0': '2.0',
  'CVSS:3.0': '3.0',
  'CVSS:3.1': '3.1',
  'CVSS:4.0': '4.0',
};

/**
 * Base score of a CVSS 2.0/3.0/3.1/4.0 vector, ignoring any temporal, threat or
 * environmental metrics it carries. Undefined for anything that is not a complete, valid vector.
 */
export function cvssBaseScore(vector: string): CvssScore | undefined {
  let parsed: ScoredVector | null | undefined;
  try {
    parsed = cvssLib.fromVector(vector.trim()) as ScoredVector | null | undefined;
    if (!parsed || !parsed.isBaseFullyDefined()) return undefined;
    const version = VERSION_BY_NAME[parsed.getVectorName()];
    if (version === undefined) return undefined;
    const scores = parsed.calculateScores();
    // For 4.0, `base` already folds in threat metrics (E:...); baseMetricsOnly is CVSS-B.
    const score = version === '4.0' ? scores.baseMetricsOnly : scores.base;
    if (typeof score !== 'number' || !Number.isFinite(score)) return undefined;
    return { score, version };
  } catch {
    // The library throws on some malformed vectors instead of returning null.
    return undefined;
  }
}
