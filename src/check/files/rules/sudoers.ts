/**
 * config/sudo-nopasswd: active sudoers rules tagged NOPASSWD, and Defaults that turn
 * authentication off. A non-root image user with passwordless sudo to everything is
 * root in all but name (HIGH); NOPASSWD for a list of specific commands is MEDIUM.
 */
import type { RuleHit } from '../../rule.js';
import { baseName, CONFIG_MAX_BYTES, dirName, type FileRule } from '../file-rule.js';
import { NIST_CONFIG_DEFECTS } from '../references.js';
import { lines, quoteForMessage } from '../text.js';

/** Commands that amount to a root shell when granted. */
const SHELLS = /(^|\/)(ba|da|z|k|c|tc|fi)?sh$|(^|\/)su$/;

export const sudoNopasswd: FileRule = {
  id: 'config/sudo-nopasswd',
  kind: 'config',
  severity: 'HIGH',
  title: 'Passwordless sudo',
  remediation:
    'Remove NOPASSWD (and !authenticate) from sudoers, or better, remove sudo from the image and run the container as a non-root user',
  references: [...NIST_CONFIG_DEFECTS, 'CIS Docker 4.1'],
  maxBytes: CONFIG_MAX_BYTES,
  wants(path) {
    if (path === 'etc/sudoers') return true;
    // sudo's @includedir skips names containing a dot or ending in ~ (editor and package backups).
    const name = baseName(path);
    return dirName(path) === 'etc/sudoers.d' && !name.includes('.') && !name.endsWith('~');
  },
  check(content) {
    const hits: RuleHit[] = [];
    for (const { line, text } of logicalLines(content)) {
      const shown = quoteForMessage(text);
      if (/^Defaults\S*\s/.test(text)) {
        if (/(^|[\s,])!\s*authenticate\b/.test(text)) {
          hits.push({ message: `sudoers Defaults turn password checks off: ${shown}`, line, severity: 'HIGH' });
        }
        continue;
      }
      const tag = /\bNOPASSWD\s*:/.exec(text);
      if (!tag) continue;
      const all = grantsEverything(text.slice(tag.index + tag[0].length));
      hits.push({
        message: all
          ? `sudoers rule gives root without a password: ${shown}`
          : `sudoers rule runs commands as another user without a password: ${shown}`,
        line,
        severity: all ? 'HIGH' : 'MEDIUM',
      });
    }
    return hits;
  },
};

/** Whether the commands after NOPASSWD: include ALL or a shell (up to a PASSWD: tag that ends the run). */
function grantsEverything(rest: string): boolean {
  const run = rest.split(/\bPASSWD\s*:/)[0] ?? '';
  return run
    .replace(/\b[A-Z_]+\s*:/g, ' ')
    .split(',')
    .map((c) => c.trim().split(/\s+/)[0] ?? '')
    .some((c) => c === 'ALL' || SHELLS.test(c));
}

/**
 * Lines with \ continuations joined and comments removed. '#' starts a comment except in
 * #include / #includedir and in #<uid> user names.
 */
function logicalLines(content: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let pending: { line: number; text: string } | undefined;
  for (const { line, text } of lines(content)) {
    const continued = /\\$/.test(text);
    const body = stripComment(continued ? text.slice(0, -1) : text);
    pending = pending ? { line: pending.line, text: `${pending.text} ${body}` } : { line, text: body };
    if (continued) continue;
    const t = pending.text.replace(/\s+/g, ' ').trim();
    if (t !== '') out.push({ line: pending.line, text: t });
    pending = undefined;
  }
  return out;
}

function stripComment(text: string): string {
  if (/^\s*#include(dir)?\s/.test(text)) return '';
  return text.replace(/(^|\s)#(?!-?\d).*$/, '$1');
}
