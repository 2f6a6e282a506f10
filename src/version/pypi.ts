/** PyPI: PEP 440 ordering from @renovatebot/pep440 (epochs, pre/post/dev releases, local versions). */
import { compare, valid } from '@renovatebot/pep440';
import { CavasError } from '../util/errors.js';
import type { VersionScheme } from './scheme.js';

export const pypiScheme: VersionScheme = {
  ecosystem: 'pypi',
  compare(a, b) {
    if (!valid(a) || !valid(b)) throw new CavasError('USAGE', `not a PEP 440 version: ${JSON.stringify(valid(a) ? b : a).slice(0, 60)}`);
    return compare(a, b);
  },
  isValid: (v) => valid(v) !== null,
};
