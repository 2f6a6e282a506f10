import type { Ecosystem } from '../../types.js';
import type { EcosystemTargets } from '../target.js';
import { apkTargets } from './apk.js';
import { debTargets } from './deb.js';
import { languageTargets } from './language.js';
import { rpmTargets } from './rpm.js';

const LANGUAGES: readonly Ecosystem[] = ['npm', 'pypi', 'maven', 'go', 'gem', 'nuget', 'composer', 'cargo'];

/** One entry per ecosystem cavas can match; adding an ecosystem adds a module and a line here. */
const ALL: readonly EcosystemTargets[] = [debTargets, apkTargets, rpmTargets, ...LANGUAGES.map(languageTargets)];

export const ecosystemTargets: ReadonlyMap<Ecosystem, EcosystemTargets> = new Map(ALL.map((t) => [t.ecosystem, t]));
