import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { atLeast } from '../../match/filter.js';
import { getReporter, reporters } from '../../report/index.js';
import { scan } from '../../scan.js';
import { SEVERITY_ORDER, type Severity } from '../../types.js';
import { CavasError, describeError } from '../../util/errors.js';

interface ScanFlags {
  format: string;
  output?: string;
  severity?: string;
  ignoreUnfixed?: boolean;
  exitCode: string;
  platform?: string;
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

function parseExitCode(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new CavasError('USAGE', `--exit-code must be 0..255, got "${v}"`);
  return n;
}

export function registerScanCommand(program: Command, cacheDir: () => string): void {
  program
    .command('scan')
    .description('scan a container image for vulnerable OS packages')
    .argument('<target>', 'docker-archive:PATH, oci-archive:PATH, oci:DIR[:REF], dir:ROOTFS, or a path (auto-detected)')
    .addOption(new Option('-f, --format <format>', 'report format').choices(Object.keys(reporters)).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-s, --severity <list>', 'only these severities: CRITICAL,HIGH or a threshold like HIGH+')
    .option('--ignore-unfixed', 'leave out findings without a fixed version')
    .option('--exit-code <n>', 'exit with this code when findings remain after filters', '0')
    .option('--platform <os/arch[/variant]>', 'image of a multi-platform index to scan (default: this host)')
    .action(async (target: string, flags: ScanFlags) => {
      const exitCode = parseExitCode(flags.exitCode);
      const reporter = getReporter(flags.format);
      const result = await scan(target, {
        cacheDir: cacheDir(),
        platform: flags.platform,
        ignoreUnfixed: flags.ignoreUnfixed,
        severities: flags.severity ? parseSeverities(flags.severity) : undefined,
      });
      const color = !flags.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
      const text = reporter.render(result, { color });
      if (flags.output) {
        try {
          writeFileSync(flags.output, text);
        } catch (e) {
          throw new CavasError('IO', `cannot write ${flags.output}: ${describeError(e)}`);
        }
      } else process.stdout.write(text);
      // the table shows warnings itself; machine formats keep stdout clean
      if (flags.format !== 'table' || flags.output) for (const w of result.warnings) process.stderr.write(`cavas: warning: ${w}\n`);
      if (exitCode !== 0 && result.findings.length > 0) process.exitCode = exitCode;
    });
}
