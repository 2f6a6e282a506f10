/**
 * Just enough of a POSIX shell reader for lint rules: commands, the pipelines they form,
 * their words with quotes removed, heredoc redirections, and the line each command starts on.
 * It does not expand variables or run anything; `$(...)`, `${...}` and backquotes stay
 * inside their word as written.
 */

export interface ShellCommand {
  /** Words after quote removal, as written (assignments and wrappers like sudo included). */
  words: string[];
  /** 1-based line of the Dockerfile where the command starts. */
  line: number;
  /** Delimiters of `<<EOF` redirections on this command, in order. */
  heredocs: string[];
}

/** Commands joined by `|`; a script is a list of these. */
export type ShellPipeline = ShellCommand[];

/** Reserved words that may precede a command without being one. */
const PREFIX_KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time']);

const HEREDOC = /<<-?\s*(['"]?)([A-Za-z0-9_.-]+)\1/y;

/**
 * Splits a script into pipelines. `lineOf(i)` maps an offset of `script` to its
 * Dockerfile line (continuations joined, so offsets and lines are not 1:1).
 */
export function parseShell(script: string, lineOf: (offset: number) => number): ShellPipeline[] {
  const pipelines: ShellPipeline[] = [];
  let pipeline: ShellPipeline = [];
  let command: ShellCommand | undefined;
  let word: string | undefined;
  let i = 0;

  const endWord = (): void => {
    if (word === undefined) return;
    if (command!.words.length === 0 && PREFIX_KEYWORDS.has(word)) {
      word = undefined;
      return;
    }
    command!.words.push(word);
    word = undefined;
  };
  const startWord = (at: number): void => {
    if (!command) command = { words: [], line: lineOf(at), heredocs: [] };
    if (word === undefined) {
      // a command's line is where its first real word starts, not a skipped keyword
      if (command.words.length === 0) command.line = lineOf(at);
      word = '';
    }
  };
  const endCommand = (): void => {
    endWord();
    if (command && (command.words.length > 0 || command.heredocs.length > 0)) pipeline.push(command);
    command = undefined;
  };
  const endPipeline = (): void => {
    endCommand();
    if (pipeline.length > 0) pipelines.push(pipeline);
    pipeline = [];
  };

  while (i < script.length) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === '\\') {
      startWord(i);
      if (next === '\n') i += 2;
      else {
        word += next ?? '';
        i += 2;
      }
      continue;
    }
    if (c === "'") {
      startWord(i);
      const end = script.indexOf("'", i + 1);
      const stop = end === -1 ? script.length : end;
      word += script.slice(i + 1, stop);
      i = stop + 1;
      continue;
    }
    if (c === '"') {
      startWord(i);
      i = readDoubleQuoted(script, i + 1, (s) => (word += s));
      continue;
    }
    if (c === '$' && (next === '(' || next === '{')) {
      startWord(i);
      const end = matchingClose(script, i + 1);
      word += script.slice(i, end);
      i = end;
      continue;
    }
    if (c === '`') {
      startWord(i);
      const end = script.indexOf('`', i + 1);
      const stop = end === -1 ? script.length : end + 1;
      word += script.slice(i, stop);
      i = stop;
      continue;
    }
    if ((c === '<' || c === '>') && next === '(' && word === undefined) {
      // process substitution: one word, like $(...)
      startWord(i);
      const end = matchingClose(script, i + 1);
      word = script.slice(i, end);
      i = end;
      continue;
    }
    if (c === '<' && next === '<' && script[i + 2] !== '<') {
      HEREDOC.lastIndex = i;
      const m = HEREDOC.exec(script);
      if (m) {
        endWord();
        if (!command) command = { words: [], line: lineOf(i), heredocs: [] };
        command.heredocs.push(m[2]!);
        i += m[0].length;
        continue;
      }
    }
    if (c === '#' && word === undefined) {
      const nl = script.indexOf('\n', i);
      i = nl === -1 ? script.length : nl;
      continue;
    }
    if (c === '|' && next !== '|' && !(word !== undefined && word.endsWith('>'))) {
      endCommand();
      i += next === '&' ? 2 : 1;
      continue;
    }
    if (c === '&' && next !== '&' && (next === '>' || (word !== undefined && /[<>]$/.test(word)))) {
      // &> and 2>&1 are redirections, not background separators
      startWord(i);
      word += c;
      i++;
      continue;
    }
    if (c === ';' || c === '\n' || c === '&' || c === '|' || c === '(' || c === ')') {
      endPipeline();
      i += (c === '&' && next === '&') || (c === '|' && next === '|') || (c === ';' && next === ';') ? 2 : 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    startWord(i);
    word += c;
    i++;
  }
  endPipeline();
  return pipelines;
}

function readDoubleQuoted(s: string, from: number, emit: (text: string) => void): number {
  let i = from;
  while (i < s.length && s[i] !== '"') {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      const n = s[i + 1]!;
      if (n === '\n') {
        i += 2;
        continue;
      }
      emit('$`"\\'.includes(n) ? n : c + n);
      i += 2;
      continue;
    }
    if (c === '$' && (s[i + 1] === '(' || s[i + 1] === '{')) {
      const end = matchingClose(s, i + 1);
      emit(s.slice(i, end));
      i = end;
      continue;
    }
    emit(c);
    i++;
  }
  return i + 1;
}

/** Offset just past the bracket closing the one at `open`, skipping quoted text. */
function matchingClose(s: string, open: number): number {
  const openCh = s[open];
  const closeCh = openCh === '{' ? '}' : ')';
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end === -1) return s.length;
      i = end;
    } else if (c === openCh) depth++;
    else if (c === closeCh && --depth === 0) return i + 1;
  }
  return s.length;
}

/** Maps offsets of a multi-line text to 1-based lines, starting at `firstLine`. */
export function lineMapper(text: string, firstLine: number): (offset: number) => number {
  const breaks: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) breaks.push(i);
  return (offset) => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (breaks[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return firstLine + lo;
  };
}

/** `VAR=value` words before the command name. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** sudo/env options that take a separate argument. */
const WRAPPER_ARG_OPTIONS: Readonly<Record<string, ReadonlySet<string>>> = {
  sudo: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T', '--user', '--group', '--chdir', '--prompt']),
  env: new Set(['-u', '-C', '-S', '--unset', '--chdir', '--split-string']),
  nice: new Set(['-n', '--adjustment']),
  timeout: new Set(['-s', '-k', '--signal', '--kill-after']),
};
const WRAPPERS = new Set(['sudo', 'env', 'nohup', 'exec', 'command', 'nice', 'timeout', 'doas']);

export interface ResolvedCommand {
  /** The program run, without directory: apt-get, sh, python3. */
  name: string;
  /** Its arguments. */
  args: string[];
  /** Wrappers it ran under, e.g. ['sudo']. */
  wrappers: string[];
  /** `VAR=value` prefixes, including those given to env. */
  assignments: string[];
}

/** The program a command runs, seen through assignments and wrappers such as sudo and env. */
export function resolveCommand(words: readonly string[]): ResolvedCommand | undefined {
  const wrappers: string[] = [];
  const assignments: string[] = [];
  let i = 0;
  for (;;) {
    while (i < words.length && ASSIGNMENT.test(words[i]!)) assignments.push(words[i++]!);
    if (i >= words.length) return undefined;
    const name = basename(words[i]!);
    if (!WRAPPERS.has(name)) return { name, args: words.slice(i + 1), wrappers, assignments };
    wrappers.push(name);
    i++;
    const withArg = WRAPPER_ARG_OPTIONS[name];
    // timeout takes a duration before the command
    let positional = name === 'timeout' ? 1 : 0;
    while (i < words.length) {
      const w = words[i]!;
      if (w === '--') {
        i++;
        break;
      }
      if (w.startsWith('-') && w.length > 1) {
        i += withArg?.has(w) ? 2 : 1;
        continue;
      }
      if (positional > 0) {
        positional--;
        i++;
        continue;
      }
      break;
    }
  }
}

function basename(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash === -1 ? word : word.slice(slash + 1);
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);

export function isShell(name: string): boolean {
  return SHELLS.has(name);
}

/** For `sh -c SCRIPT ...`: SCRIPT; otherwise undefined. */
export function shellCommandString(cmd: ResolvedCommand): string | undefined {
  if (!isShell(cmd.name)) return undefined;
  const args = cmd.name === 'busybox' && cmd.args[0] && isShell(cmd.args[0]) ? cmd.args.slice(1) : cmd.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-o' || a === '+o') {
      i++;
      continue;
    }
    if (/^-[A-Za-z]+$/.test(a)) {
      if (a.includes('c')) return args.slice(i + 1).find((w) => !w.startsWith('-') || w === '-');
      continue;
    }
    return undefined;
  }
  return undefined;
}

/** Interpreters that run a program read from standard input when given no script. */
const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'node', 'php']);
/** Interpreter options whose presence means the program comes from the command line. */
const INLINE_PROGRAM = /^-(c|m|e|E|r|p)$/;

/** True when the command executes whatever arrives on its standard input. */
export function runsStdin(cmd: ResolvedCommand): boolean {
  const name = /^python[0-9.]*$/.test(cmd.name) ? 'python' : cmd.name;
  const args = name === 'busybox' && cmd.args[0] && isShell(cmd.args[0]) ? cmd.args.slice(1) : cmd.args;
  if (isShell(name)) {
    let stdinFlag = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-o' || a === '+o') {
        i++;
        continue;
      }
      if (a === '-' || a === '--') return stdinFlag || a === '-' || args[i + 1] === undefined;
      if (/^[-+][A-Za-z]+$/.test(a)) {
        if (a.startsWith('-') && a.includes('c')) return false;
        if (a.includes('s')) stdinFlag = true;
        continue;
      }
      // a script file, unless -s said to read stdin and pass the rest as arguments
      return stdinFlag;
    }
    return true;
  }
  if (!INTERPRETERS.has(name)) return false;
  for (const a of args) {
    if (a === '-') return true;
    if (INLINE_PROGRAM.test(a)) return false;
    if (a.startsWith('-')) continue;
    return false;
  }
  return true;
}
