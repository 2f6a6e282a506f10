/**
 * One finding per vulnerability: feeds name the same flaw differently (CVE-X, DEBIAN-CVE-X,
 * DSA-N covering several CVEs, GHSA with a CVE alias). The key is the CVE where one is known.
 */
const CVE = /^CVE-\d{4}-\d{4,}$/;

/**
 * Distribution security advisories (a DSA, a USN) fix several distinct CVEs at once: OSV
 * lists them as `upstream`, and each is a vulnerability of its own. Every other record is
 * one vulnerability whose `aliases` are other names for it (a GHSA with two CVE ids
 * assigned to the same flaw).
 */
const BUNDLE = /^(?:DSA|DLA|DTSA|USN|RHSA|ALSA|RLSA)-/;

/** The vulnerability keys an advisory speaks for: its CVEs, or its own id when it names none. */
export function vulnerabilityKeys(id: string, aliases: readonly string[]): string[] {
  if (CVE.test(id)) return [id];
  const debianCve = /^DEBIAN-(CVE-\d{4}-\d{4,})$/.exec(id);
  if (debianCve?.[1]) return [debianCve[1]];
  const cves = [...new Set(aliases.filter((a) => CVE.test(a)))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (cves.length === 0) return [id];
  return BUNDLE.test(id) ? cves : [cves[0]!];
}

export function isCve(id: string): boolean {
  return CVE.test(id);
}
