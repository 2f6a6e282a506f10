/** `cavas sbom TARGET`: the inventory alone as an SBOM; no advisory database needed. */
import type { Command } from 'commander';
import { getReporter } from '../../report/index.js';
import { scan } from '../../scan.js';
import { CavasError } from '../../util/errors.js';
import { useColor, writeReport } from '../output.js';
import { TtyProgress } from '../progress.js';

const SBOM_FORMATS = ['cyclonedx', 'spdx'];

interface SbomFlags {
  format: string;
  output?: string;
  platform?: string;
  quiet?: boolean;
}

export function registerSbomCommand(program: Command, cacheDir: () => string): void {
  program
    .command('sbom')
    .description('write the software bill of materials of an image (packages, no vulnerability matching)')
    .argument('<target>', 'an image, as for scan')
    .option('-f, --format <format>', `SBOM format: ${SBOM_FORMATS.join(', ')}`, 'cyclonedx')
    .option('-o, --output <file>', 'write the SBOM to a file instead of stdout')
    .option('--platform <os/arch[/variant]>', 'image of a multi-platform index (default: this host)')
    .option('-q, --quiet', 'no progress display')
    .action(async (target: string, flags: SbomFlags) => {
      if (!SBOM_FORMATS.includes(flags.format)) throw new CavasError('USAGE', `unknown SBOM format "${flags.format}" (choose ${SBOM_FORMATS.join(', ')})`);
      const reporter = getReporter(flags.format);
      const progress = !flags.quiet && process.stderr.isTTY ? new TtyProgress() : undefined;
      // no scanner: the walk still lists every package, and nothing needs the advisory DB
      const result = await scan(target, { cacheDir: cacheDir(), platform: flags.platform, progress, scanners: [] });
      writeReport(reporter.render(result, { color: useColor(flags.output) }), flags.output);
      for (const w of result.warnings) process.stderr.write(`cavas: warning: ${w}\n`);
    });
}
