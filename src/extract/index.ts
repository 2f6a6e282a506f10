import type { FileClaim } from '../image/layer.js';
import { apkExtractor } from './apk/index.js';
import { dpkgExtractor } from './dpkg/index.js';
import type { Extractor } from './extractor.js';
import { osReleaseClaim } from './os.js';
import { ownershipClaim } from './ownership.js';

/** Every extractor cavas runs. A new ecosystem is one folder and one line here. */
export const extractors: readonly Extractor[] = [dpkgExtractor, apkExtractor];

/** What the layer walk must capture for the extractors and OS detection. */
export function extractionClaims(): FileClaim[] {
  return [osReleaseClaim, ownershipClaim, ...extractors];
}

export type { Extractor, ExtractContext } from './extractor.js';
