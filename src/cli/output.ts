import { writeFileSync } from 'node:fs';
import { CavasError, describeError } from '../util/errors.js';

/** A report to -o FILE or stdout; a file that cannot be written is a one-line IO error. */
export function writeReport(text: string, output: string | undefined): void {
  if (!output) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(output, text);
  } catch (e) {
    throw new CavasError('IO', `cannot write ${output}: ${describeError(e)}`);
  }
}

/** Colour only for a terminal, never with NO_COLOR or into a file. */
export function useColor(output: string | undefined): boolean {
  return !output && process.stdout.isTTY === true && !process.env.NO_COLOR;
}
