/**
 * `--format json`: the ScanResult itself. Its shape is the public contract
 * documented in docs/scan-result.md and docs/scan-result.schema.json.
 */
import { SCAN_RESULT_SCHEMA } from '../types.js';
import type { Reporter } from './reporter.js';

export const jsonReporter: Reporter = {
  name: 'json',
  description: `the full scan result as JSON (schema ${SCAN_RESULT_SCHEMA}, see docs/scan-result.md)`,
  render(result) {
    return JSON.stringify(result, null, 2) + '\n';
  },
};
