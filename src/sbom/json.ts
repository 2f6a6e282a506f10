/** Narrowing helpers for SBOM JSON, which comes from any tool and is trusted in no field. */

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string, else undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The objects of an array field; anything else counts as empty. */
export function objects(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/** `sha256:<64 hex>`, the only digest form cavas records. */
export function digest(v: unknown): string | undefined {
  const s = str(v);
  return s !== undefined && /^sha256:[0-9a-f]{64}$/.test(s) ? s : undefined;
}

/** Skipped entries are counted per reason so a large SBOM gives a few warnings, not thousands. */
export class SkipCounter {
  private readonly counts = new Map<string, number>();

  add(reason: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  warnings(what: string): string[] {
    return [...this.counts].map(([reason, n]) => `${n} ${what} skipped: ${reason}`);
  }
}
