/**
 * Debian release codenames and version numbers. The security tracker names releases by
 * codename while os-release VERSION_ID and OSV ('Debian:12') use the number, so advisories
 * are keyed by number ('debian:12') and the two must be translated.
 *
 * Releases before 4.0 used two-part numbers (hamm 2.0, slink 2.1, woody 3.0); from etch (4)
 * on the major alone names a release, and that is what os-release VERSION_ID holds.
 */
const RELEASES: ReadonlyArray<readonly [codename: string, major: string]> = [
  ['buzz', '1.1'],
  ['rex', '1.2'],
  ['bo', '1.3'],
  ['hamm', '2.0'],
  ['slink', '2.1'],
  ['potato', '2.2'],
  ['woody', '3.0'],
  ['sarge', '3.1'],
  ['etch', '4'],
  ['lenny', '5'],
  ['squeeze', '6'],
  ['wheezy', '7'],
  ['jessie', '8'],
  ['stretch', '9'],
  ['buster', '10'],
  ['bullseye', '11'],
  ['bookworm', '12'],
  ['trixie', '13'],
  ['forky', '14'],
  ['duke', '15'],
];

const MAJOR_BY_CODENAME = new Map(RELEASES.map(([c, m]) => [c, m]));
const CODENAME_BY_MAJOR = new Map(RELEASES.map(([c, m]) => [m, c]));

/** 'bookworm' -> '12'; undefined for 'sid', 'experimental' and unknown names. */
export function debianMajorForCodename(codename: string): string | undefined {
  return MAJOR_BY_CODENAME.get(codename.trim().toLowerCase());
}

/** '12' -> 'bookworm'. A point release ('12.5', as in /etc/debian_version) maps to its major from etch on. */
export function debianCodenameForMajor(major: string): string | undefined {
  const m = major.trim();
  const exact = CODENAME_BY_MAJOR.get(m);
  if (exact !== undefined) return exact;
  const point = /^(\d+)\.\d+$/.exec(m);
  if (point?.[1] !== undefined && Number(point[1]) >= 4) return CODENAME_BY_MAJOR.get(point[1]);
  return undefined;
}
