/**
 * A report format: turns a finished scan into the text the CLI prints.
 * Reporters are pure (no I/O) so the CLI decides where output goes.
 */
import type { ScanResult } from '../types.js';

export interface RenderOptions {
  /** Emit ANSI colour codes; only the human formats look at it. */
  color: boolean;
}

export interface Reporter {
  /** The --format value. */
  readonly name: string;
  /** One line for --help. */
  readonly description: string;
  render(result: ScanResult, opts: RenderOptions): string;
}
