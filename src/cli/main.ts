#!/usr/bin/env node
/**
 * cavas command line. Exit codes: 0 ok, the --exit-code value when findings remain,
 * 2 for bad input or set-up errors (one line on stderr, never a stack unless --debug).
 */
import { Command, CommanderError } from 'commander';
import { describeError, isCavasError } from '../util/errors.js';
import { resolveCacheDir } from '../util/cache-dir.js';
import { CAVAS_VERSION } from '../util/version.js';
import { registerDbCommands } from './commands/db.js';
import { registerLintCommand } from './commands/lint.js';
import { registerSbomCommand } from './commands/sbom.js';
import { registerScanCommand } from './commands/scan.js';

export const EXIT_ERROR = 2;

function buildProgram(): Command {
  const program = new Command('cavas')
    .description('Cloud-Aware Vulnerability Assessment System: find vulnerabilities in container images')
    .version(CAVAS_VERSION)
    .option('--cache-dir <dir>', 'where the advisory DB and caches live (env CAVAS_CACHE_DIR; default $XDG_CACHE_HOME/cavas)')
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`cavas: ${str.split('\n')[0]} (see cavas --help)\n`) });
  const cacheDir = (): string => resolveCacheDir(program.opts<{ cacheDir?: string }>().cacheDir);
  registerScanCommand(program, cacheDir);
  registerSbomCommand(program, cacheDir);
  registerDbCommands(program, cacheDir);
  registerLintCommand(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version also arrive here, with exit code 0
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_ERROR;
      return;
    }
    const debug = program.opts<{ debug?: boolean }>().debug || argv.includes('--debug');
    if (debug && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    const message = isCavasError(e) ? e.message : `unexpected error: ${describeError(e)}`;
    process.stderr.write(`cavas: error: ${message}\n`);
    process.exitCode = EXIT_ERROR;
  }
}

await main(process.argv);
