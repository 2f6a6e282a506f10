/**
 * Rules over RUN scripts: how software is fetched and installed, and what the commands
 * leave behind. Rules about the final image's contents read only the stages it is built
 * from; rules about trusting what is fetched read every stage.
 */
import type { RuleHit } from '../../rule.js';
import { cacheMountTargets, NIST_CONFIG, NIST_UNTRUSTED, runsOf, type DockerfileRule } from '../rule.js';
import { isShell, resolveCommand, runsStdin, type ResolvedCommand, type ShellCommand } from '../shell.js';

const DOWNLOADERS = new Set(['curl', 'wget']);
const EVALUATORS = new Set(['eval', 'source', '.']);
const DOWNLOAD_SUBSTITUTION = /(\$\(|<\(|`)\s*(\S*\/)?(curl|wget)\b/;

export const curlPipeShell: DockerfileRule = {
  id: 'dockerfile/curl-pipe-shell',
  kind: 'config',
  severity: 'HIGH',
  title: 'Downloaded script run without verification',
  remediation: 'Download to a file, verify its checksum or signature, then run it',
  references: ['CIS Docker 4.11', NIST_UNTRUSTED],
  check(df) {
    const hits: RuleHit[] = [];
    for (const { pipelines } of runsOf(df.stages)) {
      for (const pipeline of pipelines) {
        const resolved = pipeline.map((c) => resolveCommand(c.words));
        const fetch = resolved.findIndex((r) => r !== undefined && DOWNLOADERS.has(r.name));
        const runner = resolved.findIndex((r, i) => i > fetch && r !== undefined && runsStdin(r));
        if (fetch !== -1 && runner !== -1) {
          hits.push({ line: pipeline[fetch]!.line, message: `${resolved[fetch]!.name} output is piped into ${resolved[runner]!.name}` });
          continue;
        }
        for (const [i, r] of resolved.entries()) {
          if (!r || !(isShell(r.name) || EVALUATORS.has(r.name) || /^(python[0-9.]*|perl|ruby|node)$/.test(r.name))) continue;
          const arg = r.args.find((a) => DOWNLOAD_SUBSTITUTION.test(a));
          if (arg) hits.push({ line: pipeline[i]!.line, message: `${r.name} runs a script downloaded by ${DOWNLOAD_SUBSTITUTION.exec(arg)![3]}` });
        }
      }
    }
    return hits;
  },
};

/** True for modes that let every user write: 777, 0666, a+w, o=rwx; not the sticky 1777. */
export function worldWritable(mode: string): boolean {
  if (/^[0-7]{1,4}$/.test(mode)) {
    const digits = mode.padStart(4, '0');
    const special = Number(digits[0]);
    const other = Number(digits[3]);
    return (other & 2) !== 0 && (special & 1) === 0;
  }
  let writable = false;
  for (const clause of mode.split(',')) {
    const m = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
    if (!m) return false;
    const [, who = '', op, perms = ''] = m;
    if (perms.includes('t')) return false;
    if (!(who.includes('o') || who.includes('a'))) continue;
    if (op === '-') {
      if (perms.includes('w')) writable = false;
    } else writable = perms.includes('w');
  }
  return writable;
}

function chmodMode(r: ResolvedCommand): string | undefined {
  for (const a of r.args) {
    if (a.startsWith('--')) continue;
    // "-R", "-v"; but "-w" or "-rwx" are modes
    if (/^-[RvcfH]+$/.test(a)) continue;
    return a;
  }
  return undefined;
}

export const chmod777: DockerfileRule = {
  id: 'dockerfile/chmod-777',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'World-writable permissions',
  remediation: 'Give write access to the owning user only (e.g. chmod 755, or chown to the runtime user)',
  references: [NIST_CONFIG],
  check(df) {
    const hits: RuleHit[] = [];
    for (const stage of df.stages) {
      for (const ins of stage.instructions) {
        const flag = ins.flags.find((f) => f.name === 'chmod');
        if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && flag?.value && worldWritable(flag.value)) {
          hits.push({ line: ins.line, message: `${ins.keyword} --chmod=${flag.value} makes the copied files writable by every user` });
        }
      }
    }
    for (const { commands } of runsOf(df.stages)) {
      for (const cmd of commands) {
        const r = resolveCommand(cmd.words);
        if (r?.name !== 'chmod') continue;
        const mode = chmodMode(r);
        if (mode && worldWritable(mode)) hits.push({ line: cmd.line, message: `chmod ${mode} makes files writable by every user` });
      }
    }
    return hits;
  },
};

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

export const sudo: DockerfileRule = {
  id: 'dockerfile/sudo',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'sudo in RUN',
  remediation: 'Switch with USER root / USER app around the commands instead of sudo; do not ship sudo in the image',
  references: [NIST_CONFIG],
  check(df) {
    const hits: RuleHit[] = [];
    for (const { commands } of runsOf(df.stages)) {
      for (const cmd of commands) {
        const first = cmd.words.find((w) => !ASSIGNMENT.test(w));
        if (first === 'sudo' || resolveCommand(cmd.words)?.wrappers.includes('sudo')) hits.push({ line: cmd.line, message: 'RUN uses sudo' });
      }
    }
    return hits;
  },
};

/** apt/apt-get options that take a separate value. */
const APT_VALUE_OPTIONS = new Set(['-o', '-c', '-t', '-a', '--option', '--config-file', '--target-release', '--host-architecture']);

interface AptCommand {
  cmd: ShellCommand;
  subcommand: string;
  args: string[];
}

function apt(cmd: ShellCommand): AptCommand | undefined {
  const r = resolveCommand(cmd.words);
  if (!r || (r.name !== 'apt-get' && r.name !== 'apt')) return undefined;
  for (let i = 0; i < r.args.length; i++) {
    const a = r.args[i]!;
    if (APT_VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return { cmd, subcommand: a, args: r.args };
  }
  return undefined;
}

/** Subcommands that read the package lists apt-get update fetched. */
const APT_CONSUMERS = new Set(['install', 'upgrade', 'dist-upgrade', 'full-upgrade', 'build-dep', 'source', 'satisfy', 'reinstall']);

export const aptGetUpdateAlone: DockerfileRule = {
  id: 'dockerfile/apt-get-update-alone',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'apt-get update in its own RUN',
  remediation: 'Run apt-get update && apt-get install ... in the same RUN, so a cached update layer never feeds a later install stale lists',
  references: ['CIS Docker 4.7', NIST_CONFIG],
  check(df) {
    const hits: RuleHit[] = [];
    for (const { commands } of runsOf(df.stages)) {
      const apts = commands.map(apt).filter((a) => a !== undefined);
      const update = apts.find((a) => a.subcommand === 'update');
      if (update && !apts.some((a) => APT_CONSUMERS.has(a.subcommand))) {
        hits.push({ line: update.cmd.line, message: 'apt-get update without an install in the same RUN: the layer cache can pair stale lists with later installs' });
      }
    }
    return hits;
  },
};

function skipsRecommends(args: readonly string[]): boolean {
  return args.some(
    (a, i) =>
      a === '--no-install-recommends' ||
      /^(-o)?APT::Install-Recommends=(false|0|no)$/i.test(a) ||
      ((a === '-o' || a === '--option') && /^APT::Install-Recommends=(false|0|no)$/i.test(args[i + 1] ?? '')),
  );
}

export const aptNoInstallRecommends: DockerfileRule = {
  id: 'dockerfile/apt-no-install-recommends',
  kind: 'config',
  severity: 'LOW',
  title: 'apt-get install pulls recommended packages',
  remediation: 'Add --no-install-recommends to apt-get install',
  references: ['CIS Docker 4.3', NIST_CONFIG],
  check(df) {
    const hits: RuleHit[] = [];
    // builder stages may install what they like; only the final image carries the extra packages
    for (const { commands } of runsOf(df.finalChain)) {
      for (const a of commands.map(apt)) {
        if (a?.subcommand === 'install' && !skipsRecommends(a.args)) {
          hits.push({ line: a.cmd.line, message: `${resolveCommand(a.cmd.words)!.name} install without --no-install-recommends adds packages nothing asked for` });
        }
      }
    }
    return hits;
  },
};

/** The first non-option argument: the subcommand of apk, pip, yum... */
function subcommand(args: readonly string[]): string | undefined {
  return args.find((a) => !a.startsWith('-'));
}

/** Everything the RUN's rm commands delete, read once per RUN. */
function removedPaths(commands: readonly ShellCommand[]): string[] {
  return commands.flatMap((c) => {
    const r = resolveCommand(c.words);
    return r?.name === 'rm' ? r.args.filter((a) => !a.startsWith('-')) : [];
  });
}

function removes(removed: readonly string[], dir: string): boolean {
  return removed.some((a) => a === dir || a.startsWith(dir + '/'));
}

function mounted(targets: readonly string[], dir: string): boolean {
  return targets.some((t) => dir === t || dir.startsWith(t + '/'));
}

/** `pip install`, `pip3.12 install`, `python3 -m pip install`: the pip arguments. */
function pipArgs(r: ResolvedCommand): string[] | undefined {
  if (/^pip[0-9.]*$/.test(r.name)) return r.args;
  if (/^python[0-9.]*$/.test(r.name)) {
    const m = r.args.indexOf('-m');
    if (m !== -1 && r.args[m + 1] === 'pip') return r.args.slice(m + 2);
  }
  return undefined;
}

/** pip's cache is ~/.cache/pip; RUN is root unless USER says otherwise. */
const PIP_CACHE_DIRS = ['/root/.cache', '~/.cache', '$HOME/.cache', '${HOME}/.cache'];

const RPM_MANAGERS = new Set(['yum', 'dnf', 'microdnf', 'tdnf']);
const RPM_WRITES_CACHE = new Set(['install', 'groupinstall', 'localinstall', 'reinstall', 'update', 'upgrade']);

export const packageCache: DockerfileRule = {
  id: 'config/package-cache',
  kind: 'config',
  severity: 'LOW',
  title: 'Package manager cache left in the image',
  remediation: 'Clean the cache in the same RUN (rm -rf /var/lib/apt/lists/*, apk add --no-cache, pip --no-cache-dir, dnf clean all) or use a cache mount',
  references: ['CIS Docker 4.3', NIST_CONFIG],
  check(df) {
    const hits: RuleHit[] = [];
    const pipEnvOff = df.finalChain.some((s) => s.instructions.some((i) => i.keyword === 'ENV' && i.properties.some((p) => p.name === 'PIP_NO_CACHE_DIR')));
    for (const { ins, commands } of runsOf(df.finalChain)) {
      const targets = cacheMountTargets(ins);
      const removed = removedPaths(commands);
      const rpmCleaned = commands.some((c) => {
        const x = resolveCommand(c.words);
        return x !== undefined && RPM_MANAGERS.has(x.name) && x.args.includes('clean') && x.args.includes('all');
      });
      const found = new Map<string, { line: number; message: string }>();
      for (const cmd of commands) {
        const r = resolveCommand(cmd.words);
        if (!r) continue;
        const a = apt(cmd);
        if (a?.subcommand === 'install' && !removes(removed, '/var/lib/apt/lists') && !mounted(targets, '/var/lib/apt/lists')) {
          if (!found.has('apt')) found.set('apt', { line: cmd.line, message: `${r.name} install without rm -rf /var/lib/apt/lists/* in the same RUN` });
        }
        if (r.name === 'apk' && subcommand(r.args) === 'add' && !r.args.includes('--no-cache') && !removes(removed, '/var/cache/apk') && !mounted(targets, '/var/cache/apk')) {
          if (!found.has('apk')) found.set('apk', { line: cmd.line, message: 'apk add without --no-cache' });
        }
        const pip = pipArgs(r);
        if (pip && subcommand(pip) === 'install' && !pip.includes('--no-cache-dir') && !pipEnvOff && !r.assignments.some((x) => x.startsWith('PIP_NO_CACHE_DIR='))) {
          if (!PIP_CACHE_DIRS.some((d) => removes(removed, d)) && !mounted(targets, '/root/.cache/pip')) {
            if (!found.has('pip')) found.set('pip', { line: cmd.line, message: 'pip install without --no-cache-dir' });
          }
        }
        if (RPM_MANAGERS.has(r.name) && RPM_WRITES_CACHE.has(subcommand(r.args) ?? '')) {
          const cacheDir = r.name === 'yum' ? '/var/cache/yum' : '/var/cache/dnf';
          if (!rpmCleaned && !removes(removed, cacheDir) && !mounted(targets, cacheDir) && !found.has('rpm')) {
            found.set('rpm', { line: cmd.line, message: `${r.name} ${subcommand(r.args)} without ${r.name} clean all in the same RUN` });
          }
        }
      }
      hits.push(...found.values());
    }
    return hits;
  },
};
