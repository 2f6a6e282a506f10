/**
 * The format registry. A new format is one module plus one line here.
 */
import { CavasError } from '../util/errors.js';
import { cyclonedxReporter } from './cyclonedx.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import { markdownReporter } from './markdown.js';
import { sarifReporter } from './sarif.js';
import { spdxReporter } from './spdx.js';
import type { Reporter } from './reporter.js';
import { tableReporter } from './table.js';

export type { RenderOptions, Reporter } from './reporter.js';

export const reporters: Readonly<Record<string, Reporter>> = {
  table: tableReporter,
  json: jsonReporter,
  cyclonedx: cyclonedxReporter,
  sarif: sarifReporter,
  spdx: spdxReporter,
  markdown: markdownReporter,
  html: htmlReporter,
  junit: junitReporter,
};

export function getReporter(name: string): Reporter {
  // Own-property check so names like "constructor" or "__proto__" are not found on the prototype.
  const reporter = Object.hasOwn(reporters, name) ? reporters[name] : undefined;
  if (!reporter) {
    throw new CavasError('USAGE', `unknown format "${name}" (choose ${Object.keys(reporters).join(', ')})`);
  }
  return reporter;
}
