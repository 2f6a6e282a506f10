/** The Dockerfile rule table: adding a rule is adding it here. Ids are stable (docs/rules.md). */
import type { DockerfileRule } from '../rule.js';
import { addInsteadOfCopy, addRemoteUrl } from './add.js';
import { latestBase, unpinnedBase } from './base-image.js';
import { noHealthcheck, rootUser, sensitivePort } from './final-stage.js';
import { aptGetUpdateAlone, aptNoInstallRecommends, chmod777, curlPipeShell, packageCache, sudo } from './run.js';
import { secretInArg, secretInEnv } from './secrets.js';

export const dockerfileRules: readonly DockerfileRule[] = [
  rootUser,
  noHealthcheck,
  secretInEnv,
  secretInArg,
  addRemoteUrl,
  addInsteadOfCopy,
  sensitivePort,
  latestBase,
  packageCache,
  unpinnedBase,
  curlPipeShell,
  chmod777,
  aptNoInstallRecommends,
  aptGetUpdateAlone,
  sudo,
];
