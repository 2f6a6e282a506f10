import { existsSync } from 'node:fs';
import { useColor, writeReport } from '../output.js';
import type { Command } from 'commander';
import { atLeast } from '../../match/filter.js';
import { getReporter, reporters, type Reporter } from '../../report/index.js';
import type { RegistryOptions } from '../../image/source.js';
import { scan } from '../../scan.js';
import { TtyProgress } from '../progress.js';
import { SEVERITY_ORDER, type Severity } from '../../types.js';
import { CavasError } from '../../util/errors.js';
import { DEFAULT_SCANNERS, SCANNER_NAMES, type ScannerName } from '../../check/index.js';
import { loadSecretConfig } from '../../check/secret/config-file.js';

const DEFAULT_IGNORE_FILE = '.cavasignore';

/**
 * The scan's "now": SOURCE_DATE_EPOCH (seconds) when set, as reproducible-build tools do;
 * it stamps the report and decides which .cavasignore entries have expired.
 */
function scanClock(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return new Date();
  if (!/^\d+$/.test(epoch)) throw new CavasError('USAGE', `SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${epoch}"`);
  return new Date(Number(epoch) * 1000);
}

/** Same as any error: some check could not run (clamd unreachable). */
const EXIT_INCOMPLETE = 2;

interface ScanFlags {
  format: string[];
  output?: string;
  severity?: string;
  ignoreUnfixed?: boolean;
  exitCode: string;
  platform?: string;
  insecureRegistry: string[];
  caCert?: string;
  username?: string;
  passwordStdin?: boolean;
  quiet?: boolean;
  timeout: string;
  scanners: string;
  secretConfig?: string;
  clamd?: string;
  malwareHashes?: string;
  ignoreFile?: string;
  vex: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8').replace(/\r?\n$/, '');
}

/**
 * The user name may come from --username, CAVAS_USERNAME or cavas.yaml; the password from
 * standard input or CAVAS_PASSWORD, never from a flag (it would end up in shell history).
 * The docker config is the client's own fallback.
 */
async function credentials(flags: ScanFlags): Promise<{ username: string; password: string } | undefined> {
  if (flags.passwordStdin && !flags.username) throw new CavasError('USAGE', '--password-stdin needs --username');
  if (!flags.username) return undefined;
  if (flags.passwordStdin) return { username: flags.username, password: await readStdin() };
  const password = process.env.CAVAS_PASSWORD;
  if (password !== undefined) return { username: flags.username, password };
  throw new CavasError('USAGE', '--username needs --password-stdin or CAVAS_PASSWORD (passwords on the command line end up in shell history)');
}

/** "CRITICAL,HIGH" keeps those; "HIGH+" keeps HIGH and above. */
export function parseSeverities(spec: string): Set<Severity> {
  const out = new Set<Severity>();
  for (const raw of spec.split(',')) {
    const word = raw.trim().toUpperCase();
    if (!word) continue;
    const plus = word.endsWith('+');
    const name = (plus ? word.slice(0, -1) : word) as Severity;
    if (!SEVERITY_ORDER.includes(name)) {
      throw new CavasError('USAGE', `unknown severity "${raw.trim()}" (use ${SEVERITY_ORDER.join(', ')}, or e.g. HIGH+)`);
    }
    for (const s of plus ? atLeast(name) : [name]) out.add(s);
  }
  return out;
}

/**
 * `-f json=out.json -f sarif=out.sarif -f table`: each format to its file, at most one to
 * stdout (or to -o). Every name is checked before the scan starts.
 */
export function parseOutputs(specs: readonly string[], output: string | undefined): Array<{ reporter: Reporter; file?: string }> {
  const list = specs.length > 0 ? specs : ['table'];
  const out = list.map((spec) => {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? spec : spec.slice(0, eq);
    const file = eq < 0 ? output : spec.slice(eq + 1);
    if (file === '') throw new CavasError('USAGE', `--format ${spec}: the file name after "=" is empty`);
    return { reporter: getReporter(name), file };
  });
  const toStdout = out.filter((o) => o.file === undefined);
  if (toStdout.length > 1) throw new CavasError('USAGE', `only one format can go to stdout (${toStdout.map((o) => o.reporter.name).join(', ')}); give the others a file: -f NAME=FILE`);
  const files = out.map((o) => o.file).filter((f): f is string => f !== undefined);
  if (new Set(files).size !== files.length) throw new CavasError('USAGE', 'two formats would be written to the same file');
  return out;
}

/** "vuln,secret" -> the scanners, in a fixed order; unknown names are a usage error. */
export function parseScanners(spec: string): ScannerName[] {
  const names = spec.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) throw new CavasError('USAGE', `--scanners is empty (choose from ${SCANNER_NAMES.join(', ')})`);
  for (const n of names) {
    if (!(SCANNER_NAMES as readonly string[]).includes(n)) throw new CavasError('USAGE', `unknown scanner "${n}" (choose from ${SCANNER_NAMES.join(', ')})`);
  }
  return SCANNER_NAMES.filter((s) => names.includes(s));
}

export function parseExitCode(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new CavasError('USAGE', `--exit-code must be 0..255, got "${v}"`);
  return n;
}

export function registerScanCommand(program: Command, cacheDir: () => string): void {
  program
    .command('scan')
    .description('scan a container image for vulnerabilities, configuration defects, secrets and malware')
    .argument('<target>', 'docker-archive:PATH, oci-archive:PATH, oci:DIR[:REF], dir:ROOTFS, a path (auto-detected), an image reference (registry/repo:tag, docker://REF), or sbom:FILE (a CycloneDX or SPDX JSON SBOM: its packages are checked for vulnerabilities)')
    .option('-f, --format <format[=file]>', `report format: ${Object.keys(reporters).join(', ')} (default table); repeat with =FILE to write several at once, e.g. -f json=out.json -f sarif=out.sarif`, collect, [])
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-s, --severity <list>', 'only these severities: CRITICAL,HIGH or a threshold like HIGH+')
    .option('--ignore-unfixed', 'leave out findings without a fixed version')
    .option('--exit-code <n>', 'exit with this code when findings remain after filters', '0')
    .option('--platform <os/arch[/variant]>', 'image of a multi-platform index to scan (default: this host)')
    .option('--insecure-registry <host[:port]>', 'allow plain HTTP to this registry (repeatable; loopback always allowed)', collect, [])
    .option('--ca-cert <file>', 'extra CA certificate(s) for registry TLS (also SSL_CERT_FILE)')
    .option('--username <name>', 'registry user name (with --password-stdin; or CAVAS_USERNAME/CAVAS_PASSWORD)')
    .option('--password-stdin', 'read the registry password from standard input')
    .option('--timeout <seconds>', 'registry connect/idle timeout', '30')
    .option('--scanners <list>', `what to look for: ${SCANNER_NAMES.join(',')}`, DEFAULT_SCANNERS.join(','))
    .option('--secret-config <file>', 'YAML with allow-paths (globs) and disable-rules for the secret scanner')
    .option('--clamd <address>', 'also scan every file with ClamAV: unix:/path/to/clamd.sock or tcp://host:port')
    .option('--malware-hashes <file>', 'extra known-malware SHA-256 list (sha256sum lines or MalwareBazaar CSV)')
    .option('--ignore-file <file>', 'accepted risks: ids with a reason and optional expiry (default: ./.cavasignore when present)')
    .option('--vex <file>', 'OpenVEX document whose not_affected/fixed statements suppress findings (repeatable)', collect, [])
    .option('-q, --quiet', 'no progress display')
    .action(async (target: string, flags: ScanFlags, command: Command) => {
      const exitCode = parseExitCode(flags.exitCode);
      // left to scan() when not given: an sbom: target then quietly scans for vulnerabilities only
      const scanners = command.getOptionValueSource('scanners') === 'default' ? undefined : parseScanners(flags.scanners);
      const secret = flags.secretConfig ? loadSecretConfig(flags.secretConfig) : undefined;
      const outputs = parseOutputs(flags.format, flags.output);
      const timeout = Number(flags.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new CavasError('USAGE', `--timeout must be a positive number of seconds, got "${flags.timeout}"`);
      const registry: RegistryOptions = { insecureRegistries: flags.insecureRegistry, timeoutMs: timeout * 1000 };
      const caCert = flags.caCert ?? process.env.SSL_CERT_FILE;
      if (caCert) registry.caCertFile = caCert;
      const creds = await credentials(flags);
      if (creds) registry.credentials = creds;
      const progress = !flags.quiet && process.stderr.isTTY ? new TtyProgress() : undefined;
      const result = await scan(target, {
        cacheDir: cacheDir(),
        platform: flags.platform,
        registry,
        progress,
        ignoreUnfixed: flags.ignoreUnfixed,
        severities: flags.severity ? parseSeverities(flags.severity) : undefined,
        scanners,
        secret,
        clamd: flags.clamd,
        malwareHashes: flags.malwareHashes,
        ignoreFile: flags.ignoreFile ?? (existsSync(DEFAULT_IGNORE_FILE) ? DEFAULT_IGNORE_FILE : undefined),
        vexFiles: flags.vex,
        now: scanClock(),
      });
      for (const o of outputs) writeReport(o.reporter.render(result, { color: useColor(o.file) }), o.file);
      // the table shows warnings itself; machine formats keep stdout clean
      if (!outputs.some((o) => o.reporter.name === 'table' && o.file === undefined)) for (const w of result.warnings) process.stderr.write(`cavas: warning: ${w}\n`);
      if (exitCode !== 0 && result.findings.length > 0) process.exitCode = exitCode;
      // the report is printed, but an incomplete scan must not pass a CI gate
      if (result.errors?.length) {
        for (const e of result.errors) process.stderr.write(`cavas: error: ${e}\n`);
        process.exitCode = EXIT_INCOMPLETE;
      }
    });
}
