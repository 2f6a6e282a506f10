/**
 * One finding per vulnerability: feeds name the same flaw differently (CVE-X, DEBIAN-CVE-X,
 * DSA-N covering several CVEs, GHSA with a CVE alias). The key is the CVE where one is known.
 */
const CVE = /^CVE-\d{4}-\d{4,}$/;

/** The vulnerability keys an advisory speaks for: its CVEs, or its own id when it names none. */
export function vulnerabilityKeys(id: string, aliases: readonly string[]): string[] {
  if (CVE.test(id)) return [id];
  const debianCve = /^DEBIAN-(CVE-\d{4}-\d{4,})$/.exec(id);
  if (debianCve?.[1]) return [debianCve[1]];
  const cves = [...new Set(aliases.filter((a) => CVE.test(a)))];
  return cves.length > 0 ? cves : [id];
}

export function isCve(id: string): boolean {
  return CVE.test(id);
}
