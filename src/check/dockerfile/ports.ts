/**
 * Remote-administration ports: exposing one means the container runs a login or control
 * service, which containers should not (NIST SP 800-190 3.1.2). Shared by the Dockerfile
 * EXPOSE rule and the image-config ExposedPorts rule (config/sensitive-port).
 */

export interface SensitivePort {
  /** Inclusive range; from === to for a single port. */
  from: number;
  to: number;
  service: string;
}

export const SENSITIVE_PORTS: readonly SensitivePort[] = [
  { from: 21, to: 21, service: 'FTP' },
  { from: 22, to: 22, service: 'SSH' },
  { from: 23, to: 23, service: 'Telnet' },
  { from: 512, to: 512, service: 'rexec' },
  { from: 513, to: 513, service: 'rlogin' },
  { from: 514, to: 514, service: 'rsh' },
  { from: 2375, to: 2375, service: 'Docker API (plain HTTP)' },
  { from: 2376, to: 2376, service: 'Docker API (TLS)' },
  { from: 3389, to: 3389, service: 'RDP' },
  // VNC display :N listens on 5900+N; ten displays covers real use without reaching 5984 (CouchDB)
  { from: 5900, to: 5909, service: 'VNC' },
];

/** The sensitive service on a port, if any. */
export function sensitivePort(port: number): SensitivePort | undefined {
  return SENSITIVE_PORTS.find((p) => port >= p.from && port <= p.to);
}

/**
 * The sensitive services an EXPOSE spec or ExposedPorts key covers: "22", "22/tcp",
 * "5900-5910/tcp". Specs with variables or garbage cover nothing.
 */
export function sensitivePortsIn(spec: string): Array<{ port: number; service: string }> {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/[a-z]+)?$/i.exec(spec.trim());
  if (!m) return [];
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (to < from || to > 65535) return [];
  const out: Array<{ port: number; service: string }> = [];
  for (const p of SENSITIVE_PORTS) {
    if (p.to < from || p.from > to) continue;
    const port = Math.max(p.from, from);
    out.push({ port, service: p.service });
  }
  return out;
}
