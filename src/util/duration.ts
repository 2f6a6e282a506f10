import { CavasError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "5m", "6h", "1d" or plain seconds -> milliseconds; "0" disables. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new CavasError('USAGE', `${what} must be a duration like 30s, 5m, 6h or 1d, got "${text}"`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
}
