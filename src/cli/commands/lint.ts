import { useColor, writeReport } from '../output.js';
import { Option, type Command } from 'commander';
import { readDockerfileInput } from '../../check/dockerfile/input.js';
import { lintDockerfile } from '../../check/dockerfile/lint.js';
import { lintResult, renderLintJson, renderLintTable } from '../../check/dockerfile/render.js';
import { parseExitCode, parseSeverities } from './scan.js';

interface LintFlags {
  format: 'table' | 'json';
  output?: string;
  severity?: string;
  exitCode: string;
}

// Same rule as scan's --exit-code; scan.ts does not export its parser.
export function registerLintCommand(program: Command): void {
  program
    .command('lint')
    .description('check a Dockerfile for security misconfigurations')
    .argument('<dockerfile>', 'path to the Dockerfile, or - to read standard input')
    .addOption(new Option('-f, --format <format>', 'report format').choices(['table', 'json']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-s, --severity <list>', 'only these severities: CRITICAL,HIGH or a threshold like HIGH+')
    .option('--exit-code <n>', 'exit with this code when findings remain after filters', '0')
    .action(async (file: string, flags: LintFlags) => {
      const exitCode = parseExitCode(flags.exitCode);
      const severities = flags.severity ? parseSeverities(flags.severity) : undefined;
      const input = await readDockerfileInput(file);
      const findings = lintDockerfile(input.text, input.path).filter((f) => !severities || severities.has(f.severity));
      const result = lintResult(input.path, findings);
      const text = flags.format === 'json' ? renderLintJson(result) : renderLintTable(result, { color: useColor(flags.output) });
      writeReport(text, flags.output);
      if (exitCode !== 0 && findings.length > 0) process.exitCode = exitCode;
    });
}
