/**
 * NuGet: NuGet.Versioning's NuGetVersion and VersionComparer.Default, the
 * order nuget.org, the NuGet client and the GitHub NuGet advisories use.
 *
 * Hand-written: node-semver cannot read NuGet versions (four numbers, leading
 * zeros, case-insensitive labels). The rules:
 * - `N(.N){1,3}` numbers, each 0..2147483647, leading zeros allowed; a single
 *   number is also accepted (NuGet appends ".0"); missing parts are 0, so
 *   `1 = 1.0 = 1.0.0 = 1.0.0.0` and `01.0 = 1.0`;
 * - `-label(.label)*` makes a pre-release, lower than the release; labels are
 *   `[0-9A-Za-z-]+`, a numeric one without a leading zero; they compare
 *   pairwise: numeric ones (those int.TryParse reads) numerically and before
 *   the others, the others ordinally ignoring case (`1.0.0-BETA = 1.0.0-beta`);
 *   more labels win a tie;
 * - `+metadata` is checked but does not order;
 * - surrounding blanks are trimmed (NuGetVersion.TryParse does).
 *
 * What NuGetVersion.TryParse rejects throws CavasError USAGE. One difference:
 * .NET's System.Version also reads blanks and a '+' sign inside a number
 * (`1. 2`, `+1.0`); those throw here.
 */
import { compareDigits, invalidVersion } from './common.js';
import type { VersionScheme } from './scheme.js';

interface NuGetVersion {
  numbers: [string, string, string, string];
  labels: string[];
}

const INT_MAX = '2147483647';
const LABEL = /^[0-9A-Za-z-]+$/;

function parse(raw: string): NuGetVersion | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  // ParseSections: the version runs to the first '-' or '+', the labels to the first '+' after it.
  const cut = v.search(/[-+]/);
  const core = cut === -1 ? v : v.slice(0, cut);
  let labelText: string | undefined;
  let metadata: string | undefined;
  if (cut !== -1) {
    const rest = v.slice(cut + 1);
    if (v[cut] === '+') metadata = rest;
    else {
      const plus = rest.indexOf('+');
      labelText = plus === -1 ? rest : rest.slice(0, plus);
      if (plus !== -1) metadata = rest.slice(plus + 1);
    }
  }
  const parts = core.split('.');
  if (parts.length > 4 || parts.some((p) => !/^[0-9]+$/.test(p) || compareDigits(p, INT_MAX) > 0)) return undefined;
  const labels = labelText === undefined ? [] : labelText.split('.');
  if (labels.some((l) => !LABEL.test(l) || /^0[0-9]+$/.test(l))) return undefined;
  if (metadata !== undefined && metadata.split('.').some((m) => !LABEL.test(m))) return undefined;
  const n = (i: number): string => parts[i] ?? '0';
  return { numbers: [n(0), n(1), n(2), n(3)], labels };
}

// int.TryParse on a label (only '-' can precede digits among label characters).
function asInt(label: string): bigint | undefined {
  if (!/^-?[0-9]+$/.test(label)) return undefined;
  const n = BigInt(label);
  return n >= -2147483648n && n <= 2147483647n ? n : undefined;
}

/** StringComparer.OrdinalIgnoreCase: code units after upper-casing (labels are ASCII). */
function compareOrdinalIgnoreCase(a: string, b: string): number {
  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareLabel(a: string, b: string): number {
  const x = asInt(a);
  const y = asInt(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  return compareOrdinalIgnoreCase(a, b);
}

function parseOrThrow(v: string): NuGetVersion {
  const p = parse(v);
  if (!p) throw invalidVersion('nuget', v, 'not a NuGet version');
  return p;
}

export function compareNuGet(a: string, b: string): number {
  const x = parseOrThrow(a);
  const y = parseOrThrow(b);
  for (let i = 0; i < 4; i++) {
    const r = compareDigits(x.numbers[i] as string, y.numbers[i] as string);
    if (r !== 0) return r;
  }
  if (x.labels.length === 0 || y.labels.length === 0) return x.labels.length === y.labels.length ? 0 : x.labels.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(x.labels.length, y.labels.length); i++) {
    const r = compareLabel(x.labels[i] as string, y.labels[i] as string);
    if (r !== 0) return r;
  }
  return x.labels.length === y.labels.length ? 0 : x.labels.length < y.labels.length ? -1 : 1;
}

export const nugetScheme: VersionScheme = {
  ecosystem: 'nuget',
  compare: compareNuGet,
  isValid: (v) => parse(v) !== undefined,
};
