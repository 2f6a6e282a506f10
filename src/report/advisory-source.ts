/**
 * Who publishes a vulnerability id, and where a person reads it. Used for CycloneDX
 * `source` objects; any report that links ids can share it.
 */

export interface AdvisorySource {
  name: string;
  url?: string;
}

// Id prefixes that only OSV publishes in one place (PyPI, Go, RustSec, AlmaLinux, Bitnami, Haskell, CRAN, malware).
const OSV_NATIVE = /^(PYSEC|GO|RUSTSEC|ALSA|ALBA|ALEA|BIT|HSEC|RSEC|MAL)-/;

function page(base: string, id: string): string {
  return base + encodeURIComponent(id);
}

/** Undefined for ids whose publisher cavas cannot tell from the id alone. */
export function advisorySource(id: string): AdvisorySource | undefined {
  if (/^CVE-\d{4}-\d+$/.test(id)) {
    return { name: 'NVD', url: page('https://nvd.nist.gov/vuln/detail/', id) };
  }
  if (/^(DSA|DLA|DTSA)-\d/.test(id)) {
    return { name: 'Debian', url: page('https://security-tracker.debian.org/tracker/', id) };
  }
  // OSV's name for the Debian tracker's entry of a CVE; the tracker page is keyed by the CVE.
  const debianCve = /^DEBIAN-(CVE-\d{4}-\d+)$/.exec(id);
  if (debianCve?.[1]) {
    return { name: 'Debian', url: page('https://security-tracker.debian.org/tracker/', debianCve[1]) };
  }
  if (/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/.test(id)) {
    return { name: 'GitHub', url: page('https://github.com/advisories/', id) };
  }
  if (OSV_NATIVE.test(id)) {
    return { name: 'OSV', url: page('https://osv.dev/vulnerability/', id) };
  }
  return undefined;
}
