#!/usr/bin/env node
/**
 * cavas command line. Exit codes: 0 ok, the --exit-code value when findings remain,
 * 2 for bad input or set-up errors (one line on stderr, never a stack unless --debug).
 */
import { CommanderError } from 'commander';
import { describeError, isCavasError } from '../util/errors.js';
import { buildProgram } from './program.js';
import { applySettings, checkSettingsFile, configPath, readSettingsFile, type SettingsFile } from './settings.js';

export const EXIT_ERROR = 2;

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    const found = configPath(argv.slice(2), process.env);
    const file: SettingsFile | undefined = found ? readSettingsFile(found.path) : undefined;
    if (file) checkSettingsFile(program, file);
    program.hook('preAction', (_program, action) => applySettings(action, file, process.env));
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
