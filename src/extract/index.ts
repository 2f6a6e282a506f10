import type { FileClaim } from '../image/layer.js';
import { apkExtractor } from './apk/index.js';
import { binaryExtractor } from './binary/index.js';
import { dpkgExtractor } from './dpkg/index.js';
import { dotnetExtractor } from './dotnet/index.js';
import { npmExtractors } from './npm/index.js';
import { composerExtractor } from './php/index.js';
import { pythonExtractor } from './python/index.js';
import { rubyExtractor } from './ruby/index.js';
import { cargoLockExtractor } from './rust/index.js';
import type { Extractor } from './extractor.js';
import { javaExtractor } from './java/index.js';
import { osReleaseClaim } from './os.js';
import { ownershipClaim } from './ownership.js';
import { rpmExtractor } from './rpm/index.js';

/** Every extractor cavas runs. A new ecosystem is one folder and one line here. */
export const extractors: readonly Extractor[] = [dpkgExtractor, apkExtractor, rpmExtractor, ...npmExtractors, pythonExtractor, rubyExtractor, composerExtractor, dotnetExtractor, javaExtractor, cargoLockExtractor, /* wants every executable: keep last */ binaryExtractor];

/** The extractors to run: all, or those named (OS detection and file ownership always run). */
export function selectExtractors(names?: readonly string[]): readonly Extractor[] {
  return names ? extractors.filter((e) => names.includes(e.name)) : extractors;
}

/** What the layer walk must capture for the extractors and OS detection. */
export function extractionClaims(selected: readonly Extractor[] = extractors): FileClaim[] {
  return [osReleaseClaim, ownershipClaim, ...selected];
}

export type { Extractor, ExtractContext } from './extractor.js';
