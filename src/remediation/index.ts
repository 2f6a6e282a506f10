export { baseImageSplit, isClosingStep, isRootfsStep, type BaseImageSplit } from './base-image.js';
export {
  remediationPlan,
  type LayerRef,
  type Origin,
  type PackageRemediation,
  type RemediationPlan,
  type RemediationTotals,
  type RuleRemediation,
  type VulnerabilityRemediation,
} from './plan.js';
