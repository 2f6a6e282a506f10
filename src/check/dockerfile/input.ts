/** Reading the file `cavas lint` is given: a path, or - for standard input. */
import { readFileSync, statSync } from 'node:fs';
import { CavasError, describeError } from '../../util/errors.js';
import { MAX_DOCKERFILE_BYTES } from './lint.js';

export const STDIN_PATH = '-';

export interface DockerfileInput {
  /** As findings and reports name it: the path given, or <stdin>. */
  path: string;
  text: string;
}

export async function readDockerfileInput(path: string, stdin: AsyncIterable<Buffer | string> = process.stdin): Promise<DockerfileInput> {
  if (path === STDIN_PATH) return { path: '<stdin>', text: decode(await readLimited(stdin), '<stdin>') };
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new CavasError('BAD_INPUT', `${path} is a directory, not a Dockerfile`);
    size = st.size;
  } catch (e) {
    if (e instanceof CavasError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CavasError('NOT_FOUND', `${path}: no such file`);
    throw new CavasError('IO', `cannot read ${path}: ${describeError(e)}`);
  }
  if (size > MAX_DOCKERFILE_BYTES) throw tooLarge(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CavasError('IO', `cannot read ${path}: ${describeError(e)}`);
  }
  return { path, text: decode(bytes, path) };
}

function tooLarge(path: string): CavasError {
  return new CavasError('BAD_INPUT', `${path}: larger than ${MAX_DOCKERFILE_BYTES / 1024 / 1024} MiB, not a Dockerfile`);
}

/** Stops reading past the limit, so a stream of junk is not buffered whole. */
async function readLimited(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > MAX_DOCKERFILE_BYTES) throw tooLarge('<stdin>');
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

function decode(bytes: Buffer, path: string): string {
  if (bytes.includes(0)) throw new CavasError('BAD_INPUT', `${path}: binary file, not a Dockerfile`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CavasError('BAD_INPUT', `${path}: not UTF-8 text, not a Dockerfile`);
  }
}
