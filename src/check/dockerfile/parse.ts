/**
 * A Dockerfile read with dockerfile-ast and reshaped for lint rules: build stages and the
 * chain the final image is built from, instructions with 1-based lines, ENV/ARG
 * properties, FROM references with global ARGs substituted, and RUN scripts as shell
 * pipelines (continuations joined, heredoc scripts included).
 */
import { Arg, DockerfileParser, Env, Keyword, Label, ModifiableInstruction, Run, type Instruction } from 'dockerfile-ast';
import { CavasError } from '../../util/errors.js';
import { isShell, lineMapper, parseShell, resolveCommand, runsStdin, shellCommandString, type ShellPipeline } from './shell.js';

export interface DfProperty {
  name: string;
  /** null when none is given (`ARG NAME`). */
  value: string | null;
  line: number;
}

export interface DfInstruction {
  /** Upper case: RUN, FROM, ... */
  keyword: string;
  /** 1-based first and last line (heredoc bodies included). */
  line: number;
  endLine: number;
  /** Arguments after the flags, split on white space as Docker does for most instructions. */
  args: string[];
  /** True when the arguments are a JSON array (exec form); `args` then holds its strings. */
  jsonForm: boolean;
  /** `--name=value` flags in order (RUN may repeat --mount); value null when none is given. */
  flags: ReadonlyArray<{ name: string; value: string | null }>;
  /** ENV, ARG and LABEL only. */
  properties: DfProperty[];
  /** RUN only, when the stage's shell is a POSIX shell. */
  script?: ShellPipeline[];
}

export interface BaseImage {
  /** The reference with global ARGs substituted. */
  ref: string;
  name: string;
  tag?: string;
  digest?: string;
}

export interface DfStage {
  index: number;
  /** The FROM instruction. */
  from: DfInstruction;
  /** `AS name`, lower case as Docker compares them. */
  name?: string;
  /** FROM names an earlier stage. */
  parent?: DfStage;
  /** FROM names an image (not a stage, not scratch) that could be resolved. */
  base?: BaseImage;
  /** FROM has variables no global ARG default resolves. */
  unresolvedBase: boolean;
  /** Instructions after FROM. */
  instructions: DfInstruction[];
}

export interface ParsedDockerfile {
  /** ARGs before the first FROM. */
  globalArgs: DfInstruction[];
  stages: DfStage[];
  /** The stage that becomes the image. */
  final: DfStage;
  /** The final stage, then the stages it is built FROM, nearest first. */
  finalChain: DfStage[];
}

const KEYWORDS: ReadonlySet<string> = new Set(Object.values(Keyword));

/** `# syntax=` and `# escape=` are directives, any other comment line is skipped by Docker. */
export function parseDockerfile(text: string): ParsedDockerfile {
  if (text.includes('\0')) throw new CavasError('BAD_INPUT', 'not a Dockerfile: the file is binary');
  const df = DockerfileParser.parse(text);
  const escape = df.getEscapeCharacter();
  const lines = text.split(/\r\n|\r|\n/);
  const all = df.getInstructions();
  if (all.length === 0) throw new CavasError('BAD_INPUT', 'not a Dockerfile: no instructions');
  for (const ins of all) {
    if (!KEYWORDS.has(ins.getKeyword())) {
      throw new CavasError('BAD_INPUT', `line ${ins.getRange().start.line + 1}: unknown instruction "${ins.getInstruction().slice(0, 40)}"`);
    }
  }
  const first = all.find((i) => i.getKeyword() !== 'ARG');
  if (!first || first.getKeyword() !== 'FROM') {
    const where = first ? `line ${first.getRange().start.line + 1}` : 'end of file';
    throw new CavasError('BAD_INPUT', `not a Dockerfile: ${where}: expected FROM before other instructions`);
  }

  const globalArgs: DfInstruction[] = [];
  const stages: DfStage[] = [];
  const globals = new Map<string, string | null>();
  // RUN goes through a POSIX shell unless SHELL switched to pwsh or cmd; FROM <stage> inherits it
  const posixAtEnd = new Map<DfStage, boolean>();
  const named = new Map<string, DfStage>();
  let posix = true;
  for (const ins of all) {
    const keyword = ins.getKeyword();
    if (keyword === 'FROM') {
      const from = instruction(ins, lines, escape, false);
      const stage = newStage(from, stages.length, named, globals);
      stages.push(stage);
      posix = stage.parent ? posixAtEnd.get(stage.parent) ?? true : true;
      posixAtEnd.set(stage, posix);
      continue;
    }
    const stage = stages.at(-1);
    if (keyword === 'SHELL') posix = shellIsPosix(ins);
    const item = instruction(ins, lines, escape, posix);
    if (!stage) {
      globalArgs.push(item);
      for (const p of item.properties) globals.set(p.name, p.value);
    } else {
      stage.instructions.push(item);
      posixAtEnd.set(stage, posix);
    }
  }
  const final = stages.at(-1)!;
  const finalChain: DfStage[] = [];
  for (let s: DfStage | undefined = final; s; s = s.parent) finalChain.push(s);
  return { globalArgs, stages, final, finalChain };
}

function shellIsPosix(ins: Instruction): boolean {
  const program = jsonStrings(ins)?.[0];
  return program === undefined || isShell(program.slice(program.lastIndexOf('/') + 1));
}

function newStage(from: DfInstruction, index: number, named: Map<string, DfStage>, globals: ReadonlyMap<string, string | null>): DfStage {
  const [image = '', as, alias] = from.args;
  const stage: DfStage = { index, from, unresolvedBase: false, instructions: [] };
  if (as?.toLowerCase() === 'as' && alias) stage.name = alias.toLowerCase();
  const ref = substitute(image, globals);
  if (ref === undefined) {
    stage.unresolvedBase = true;
    return stage;
  }
  const parent = named.get(ref.toLowerCase());
  if (parent) stage.parent = parent;
  else if (ref.toLowerCase() !== 'scratch') stage.base = parseImageRef(ref);
  // set after the lookup: FROM node AS node names the image, not itself
  if (stage.name) named.set(stage.name, stage);
  return stage;
}

/** `$X`, `${X}`, `${X:-word}` from global ARG defaults; undefined when one has no value. */
function substitute(value: string, vars: ReadonlyMap<string, string | null>): string | undefined {
  let unresolved = false;
  const out = value.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced?: string, op?: string, word?: string, bare?: string) => {
    const v = vars.get((braced ?? bare)!);
    const set = v !== undefined && v !== null && (v !== '' || op === '-' || op === '+');
    if (op?.endsWith('-')) return set ? v! : (word ?? '');
    if (op?.endsWith('+')) return set ? (word ?? '') : '';
    if (!set) unresolved = true;
    return v ?? '';
  });
  return unresolved ? undefined : out;
}

export function parseImageRef(ref: string): BaseImage {
  const at = ref.indexOf('@');
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  const rest = at === -1 ? ref : ref.slice(0, at);
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  const image: BaseImage = { ref, name: hasTag ? rest.slice(0, colon) : rest };
  if (hasTag) image.tag = rest.slice(colon + 1);
  if (digest) image.digest = digest;
  return image;
}

function instruction(ins: Instruction, lines: readonly string[], escape: string, posix: boolean): DfInstruction {
  const range = ins.getRange();
  const json = jsonStrings(ins);
  // heredoc bodies (RUN, COPY, ADD) come after the instruction's logical line and are not arguments
  const bodyStart = logicalEndLine(lines, range.start.line, range.end.line, escape);
  const flags = ins instanceof ModifiableInstruction ? ins.getFlags().map((f) => ({ name: f.getName(), value: f.getValue() })) : [];
  const item: DfInstruction = {
    keyword: ins.getKeyword(),
    line: range.start.line + 1,
    endLine: range.end.line + 1,
    args: json ?? ins.getArguments().filter((a) => a.getRange().start.line <= bodyStart).map((a) => a.getValue()),
    jsonForm: json !== undefined,
    flags,
    properties: [],
  };
  if (ins instanceof Env || ins instanceof Arg || ins instanceof Label) {
    for (const p of ins.getProperties()) item.properties.push({ name: p.getName(), value: p.getValue(), line: p.getNameRange().start.line + 1 });
  }
  if (ins instanceof Run && posix) item.script = runScript(ins, lines, escape, json);
  return item;
}

/** The strings of an exec-form (JSON array) instruction, or undefined for shell form. */
function jsonStrings(ins: Instruction): string[] | undefined {
  const content = ins.getArgumentsContent()?.trim() ?? '';
  if (!content.startsWith('[') || !content.endsWith(']')) return undefined;
  try {
    const parsed: unknown = JSON.parse(content);
    if (Array.isArray(parsed) && parsed.every((s) => typeof s === 'string')) return parsed;
  } catch {
    // not valid JSON: Docker runs it in shell form
  }
  return undefined;
}

const MAX_NESTING = 3;

function runScript(run: Run, lines: readonly string[], escape: string, json: string[] | undefined): ShellPipeline[] {
  const line = run.getRange().start.line + 1;
  if (json) {
    const command = { words: json, line, heredocs: [] };
    return expandNested([[command]], 0);
  }
  const firstArg = run.getArguments()[0];
  if (!firstArg) return [];
  const start = firstArg.getRange().start;
  const { text, lineOf } = joinContinuations(lines, start.line, start.character, run.getRange().end.line, escape);
  const pipelines = parseShell(text, lineOf);

  // Heredoc bodies follow the instruction line; only those fed to a shell are scripts.
  const bodies = new Map<string, Array<{ text: string; firstLine: number }>>();
  for (const doc of run.getHeredocs()) {
    const content = doc.getContentRange();
    if (!content) continue;
    const body = lines.slice(content.start.line, content.end.line + 1).join('\n');
    const list = bodies.get(doc.getName()) ?? [];
    list.push({ text: body, firstLine: content.start.line + 1 });
    bodies.set(doc.getName(), list);
  }
  const scripts: ShellPipeline[] = [];
  for (const pipeline of pipelines) {
    for (const cmd of pipeline) {
      for (const name of cmd.heredocs) {
        const body = bodies.get(name)?.shift();
        if (!body) continue;
        const resolved = resolveCommand(cmd.words);
        if (cmd.words.length === 0 || (resolved && isShell(resolved.name) && runsStdin(resolved))) {
          scripts.push(...parseShell(body.text, lineMapper(body.text, body.firstLine)));
        }
      }
    }
  }
  return expandNested([...pipelines, ...scripts], 0);
}

/** `sh -c "..."` inside a script: its commands count as the RUN's own. */
function expandNested(pipelines: ShellPipeline[], depth: number): ShellPipeline[] {
  if (depth >= MAX_NESTING) return pipelines;
  const out = [...pipelines];
  for (const pipeline of pipelines) {
    for (const cmd of pipeline) {
      const resolved = resolveCommand(cmd.words);
      const inner = resolved && shellCommandString(resolved);
      if (inner) out.push(...expandNested(parseShell(inner, () => cmd.line), depth + 1));
    }
  }
  return out;
}

/** 0-based last physical line of the logical line starting at `startLine`. */
function logicalEndLine(lines: readonly string[], startLine: number, lastLine: number, escape: string): number {
  let n = startLine;
  while (n < lastLine) {
    const line = lines[n] ?? '';
    const skipped = n > startLine && (line.trim() === '' || line.trimStart().startsWith('#'));
    if (!skipped && !line.replace(/[ \t]+$/, '').endsWith(escape)) break;
    n++;
  }
  return n;
}

/**
 * One logical line as Docker builds it: an escape at the end of a line joins the next,
 * and comment or blank lines inside the continuation are dropped.
 */
function joinContinuations(
  lines: readonly string[],
  startLine: number,
  startChar: number,
  lastLine: number,
  escape: string,
): { text: string; lineOf: (offset: number) => number } {
  let text = '';
  const starts: Array<{ offset: number; line: number }> = [];
  let continued = false;
  for (let n = startLine; n <= lastLine && n < lines.length; n++) {
    let line = lines[n]!;
    if (n === startLine) line = line.slice(startChar);
    else if (continued && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    const trimmed = line.replace(/[ \t]+$/, '');
    continued = trimmed.endsWith(escape);
    starts.push({ offset: text.length, line: n + 1 });
    text += continued ? trimmed.slice(0, -escape.length) : line;
    if (!continued) break;
  }
  const lineOf = (offset: number): number => {
    // last physical line starting at or before offset
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]!.offset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return starts[lo]?.line ?? startLine + 1;
  };
  return { text, lineOf };
}
