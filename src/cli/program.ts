/** The command tree: every command and flag, built once for the CLI and for docs/tests. */
import { Command } from 'commander';
import { resolveCacheDir } from '../util/cache-dir.js';
import { CAVAS_VERSION } from '../util/version.js';
import { registerDbCommands } from './commands/db.js';
import { registerLintCommand } from './commands/lint.js';
import { registerSbomCommand } from './commands/sbom.js';
import { registerScanCommand } from './commands/scan.js';
import { registerServerCommands } from './commands/server.js';
import { SETTINGS_HELP } from './settings.js';

export function buildProgram(): Command {
  const program = new Command('cavas')
    .description('Cloud-Aware Vulnerability Assessment System: find vulnerabilities in container images')
    .version(CAVAS_VERSION)
    .option('--cache-dir <dir>', 'where the advisory DB and caches live (env CAVAS_CACHE_DIR; default $XDG_CACHE_HOME/cavas)')
    .option('--config <file>', 'settings file (env CAVAS_CONFIG; default ./cavas.yaml when present)')
    .option('--debug', 'print stack traces of errors')
    .addHelpText('after', SETTINGS_HELP)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`cavas: ${str.split('\n')[0]} (see cavas --help)\n`) });
  const cacheDir = (): string => resolveCacheDir(program.opts<{ cacheDir?: string }>().cacheDir);
  registerScanCommand(program, cacheDir);
  registerSbomCommand(program, cacheDir);
  registerDbCommands(program, cacheDir);
  registerLintCommand(program);
  registerServerCommands(program, cacheDir);
  return program;
}

