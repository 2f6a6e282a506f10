/**
 * Every flag of every command can also come from a `CAVAS_*` environment variable or from
 * a `cavas.yaml` file, so a CI job or a container sets cavas up without a long command line.
 * Precedence: flag > environment > file > built-in default (docs/configuration.md).
 *
 * commander's own `Option.env()` is not used: it turns any value of a boolean variable,
 * "false" included, into true, and it cannot tell a file value from a default.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { CavasError } from '../util/errors.js';

export const DEFAULT_CONFIG_FILES = ['cavas.yaml', 'cavas.yml'];
const CONFIG_MAX_BYTES = 1024 * 1024;

/** Settings every command reads but no flag holds: they must stay out of the "unknown key" check. */
const NOT_FLAGS = new Set(['help', 'version', 'config']);

export type SettingValue = string | number | boolean | string[];
export type SettingsFile = { path: string; values: Record<string, unknown> };

/** `--ignore-unfixed` -> CAVAS_IGNORE_UNFIXED. */
export function envName(option: Option): string {
  return 'CAVAS_' + optionKey(option).replace(/-/g, '_').toUpperCase();
}

/** The long name without dashes (and without `no-` for negatable flags): the key in cavas.yaml. */
export function optionKey(option: Option): string {
  const long = option.long ?? option.short ?? '';
  return long.replace(/^--?/, '').replace(/^no-/, '');
}

/** Takes no value: `--ignore-unfixed`, `--no-progress`. */
function isFlag(option: Option): boolean {
  return option.isBoolean() || option.negate;
}

function isArrayOption(option: Option): boolean {
  return Array.isArray(option.defaultValue) || option.variadic;
}

/**
 * Which file to read: --config (seen before commander parses, because the file's values
 * must be in place before the action runs), else CAVAS_CONFIG, else ./cavas.yaml when present.
 */
export function configPath(argv: readonly string[], env: NodeJS.ProcessEnv): { path: string; explicit: boolean } | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--config') {
      const next = argv[i + 1];
      if (next === undefined || next === '') throw new CavasError('USAGE', '--config needs a file name');
      return { path: next, explicit: true };
    }
    if (a.startsWith('--config=')) return { path: a.slice('--config='.length), explicit: true };
  }
  if (env.CAVAS_CONFIG) return { path: env.CAVAS_CONFIG, explicit: true };
  const found = DEFAULT_CONFIG_FILES.find((f) => existsSync(f));
  return found ? { path: found, explicit: false } : undefined;
}

export function readSettingsFile(path: string): SettingsFile {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new CavasError('NOT_FOUND', `config file ${path}: no such file`);
  }
  if (size > CONFIG_MAX_BYTES) throw new CavasError('BAD_INPUT', `config file ${path}: larger than ${CONFIG_MAX_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'), { maxAliasCount: 100 });
  } catch (e) {
    const first = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new CavasError('BAD_INPUT', `config file ${path}: not valid YAML (${first})`);
  }
  if (doc === null || doc === undefined) return { path, values: {} };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new CavasError('BAD_INPUT', `config file ${path}: expected a mapping of settings at the top`);
  return { path, values: doc as Record<string, unknown> };
}

/** kebab-case or camelCase keys: `ignore-unfixed` and `ignoreUnfixed` are the same setting. */
function normalizeKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()).replace(/_/g, '-');
}

function commandPath(cmd: Command): Command[] {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  return chain;
}

/**
 * The file's values for one command: top-level keys apply to every command that has
 * the flag; a section named after the command (`scan:`, `db: { update: ... }`) wins over them.
 */
function fileValuesFor(cmd: Command, file: SettingsFile): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const sectionNames = new Set(allCommands(rootOf(cmd)).map((c) => c.name()));
  let scope: Record<string, unknown> | undefined = file.values;
  const chain = commandPath(cmd);
  for (let depth = 0; scope; depth++) {
    for (const [k, v] of Object.entries(scope)) {
      if (sectionNames.has(k) && isMapping(v)) continue;
      out.set(normalizeKey(k), v);
    }
    const next = chain[depth + 1];
    const section: unknown = next ? scope[next.name()] : undefined;
    scope = isMapping(section) ? section : undefined;
  }
  return out;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

function allCommands(root: Command): Command[] {
  return [root, ...root.commands.flatMap((c) => allCommands(c))];
}

/** A typo in cavas.yaml is a set-up error, not a silently ignored line. */
export function checkSettingsFile(root: Command, file: SettingsFile): void {
  const check = (scope: Record<string, unknown>, cmds: Command[], where: string): void => {
    const known = new Set(cmds.flatMap((c) => c.options.map(optionKey)));
    for (const [rawKey, value] of Object.entries(scope)) {
      const key = normalizeKey(rawKey);
      const sub = cmds.flatMap((c) => c.commands).find((c) => c.name() === rawKey);
      if (sub && isMapping(value)) {
        check(value, [sub, ...allCommands(sub).slice(1)], `${where}${rawKey}.`);
        continue;
      }
      if (!known.has(key) || NOT_FLAGS.has(key)) {
        throw new CavasError('BAD_INPUT', `config file ${file.path}: unknown setting "${where}${rawKey}" (see cavas --help and docs/configuration.md)`);
      }
    }
  };
  check(file.values, allCommands(root), '');
}

function parseBoolean(raw: string, from: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new CavasError('USAGE', `${from}: expected true or false, got "${raw}"`);
}

function fromEnv(option: Option, raw: string, name: string): SettingValue {
  // `--no-progress` is stored as progress=false, so CAVAS_PROGRESS=false reads the same way
  if (isFlag(option)) return parseBoolean(raw, name);
  // lists in one variable are comma-separated, as CAVAS_FORMAT=json=out.json,sarif=out.sarif
  if (isArrayOption(option)) return raw.split(',').map((s) => s.trim()).filter(Boolean);
  return raw;
}

function fromFile(option: Option, value: unknown, where: string): SettingValue {
  if (isFlag(option)) {
    if (typeof value !== 'boolean') throw new CavasError('BAD_INPUT', `${where}: expected true or false`);
    return value;
  }
  const scalar = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    throw new CavasError('BAD_INPUT', `${where}: expected a string or number`);
  };
  if (isArrayOption(option)) return Array.isArray(value) ? value.map(scalar) : [scalar(value)];
  if (Array.isArray(value)) {
    // a list for a comma-list flag (severity, scanners) reads naturally in YAML
    return value.map(scalar).join(',');
  }
  return scalar(value);
}

/**
 * Fill in every option of the command about to run (and of its parents) that the command
 * line left at its default: from the environment first, then from the file.
 */
export function applySettings(action: Command, file: SettingsFile | undefined, env: NodeJS.ProcessEnv): void {
  for (const cmd of commandPath(action)) {
    const values = file ? fileValuesFor(cmd, file) : new Map<string, unknown>();
    for (const option of cmd.options) {
      const key = optionKey(option);
      if (NOT_FLAGS.has(key)) continue;
      const attr = option.attributeName();
      if (cmd.getOptionValueSource(attr) === 'cli') continue;
      const name = envName(option);
      const raw = env[name];
      if (raw !== undefined) {
        cmd.setOptionValueWithSource(attr, fromEnv(option, raw, name), 'env');
        continue;
      }
      if (values.has(key)) cmd.setOptionValueWithSource(attr, fromFile(option, values.get(key), `config file ${file!.path}: ${key}`), 'config');
    }
  }
}

export const SETTINGS_HELP = `
Every flag can also be set by an environment variable, CAVAS_ and the flag's name in
capitals (--ignore-unfixed: CAVAS_IGNORE_UNFIXED=true; lists comma-separated), or in
cavas.yaml (--config FILE, CAVAS_CONFIG). Precedence: flag > environment > file > default.
See docs/configuration.md.`;

const DOC_BEGIN = '<!-- settings table: generated by `npm run docs:settings`, do not edit -->';
const DOC_END = '<!-- end of settings table -->';

/** One table per command: flag, environment variable, cavas.yaml key. */
export function renderSettingsTable(root: Command): string {
  const lines: string[] = [DOC_BEGIN];
  for (const cmd of allCommands(root)) {
    const options = cmd.options.filter((o) => !NOT_FLAGS.has(optionKey(o)));
    if (options.length === 0) continue;
    const path = commandPath(cmd).slice(1).map((c) => c.name());
    lines.push('', `### ${path.length === 0 ? 'every command' : 'cavas ' + path.join(' ')}`, '');
    lines.push('| flag | environment | cavas.yaml | default | what |', '|---|---|---|---|---|');
    for (const o of options) {
      const key = path.length === 0 ? optionKey(o) : `${path.join('.')}.${optionKey(o)}`;
      const def = o.defaultValue === undefined || (Array.isArray(o.defaultValue) && o.defaultValue.length === 0) ? '' : `\`${String(o.defaultValue)}\``;
      lines.push(`| \`${o.flags.replace(/\|/g, '\\|')}\` | \`${envName(o)}\` | \`${key}\` | ${def} | ${o.description.replace(/\|/g, '\\|')} |`);
    }
  }
  lines.push('', DOC_END);
  return lines.join('\n');
}

/** The doc with its generated table replaced: what `npm run docs:settings` writes. */
export function updateSettingsDoc(doc: string, root: Command): string {
  const begin = doc.indexOf(DOC_BEGIN);
  const end = doc.indexOf(DOC_END);
  if (begin < 0 || end < begin) throw new CavasError('BAD_INPUT', 'docs/configuration.md lacks the settings table markers');
  return doc.slice(0, begin) + renderSettingsTable(root) + doc.slice(end + DOC_END.length);
}
