/** What every human-readable format shares: severity colours and control-character hygiene. */
import type { Severity } from '../types.js';

export const RESET = '\x1b[0m';
export const BOLD = '\x1b[1m';
export const SEVERITY_COLOR: Readonly<Record<Severity, string>> = {
  CRITICAL: '\x1b[1;31m',
  HIGH: '\x1b[31m',
  MEDIUM: '\x1b[33m',
  LOW: '\x1b[34m',
  NEGLIGIBLE: '\x1b[2m',
  UNKNOWN: '\x1b[90m',
};

export function paint(text: string, code: string, color: boolean): string {
  return color ? `${code}${text}${RESET}` : text;
}

/**
 * Names, titles, messages and warnings come from images, Dockerfiles and advisory feeds, so
 * a hostile one could carry terminal escape sequences; control characters never reach the terminal.
 */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}
