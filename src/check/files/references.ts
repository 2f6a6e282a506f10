/** Reference sections the file rules cite (docs/rules.md lists them per rule). */

/** NIST SP 800-190 image configuration defects: the risk and its countermeasure. */
export const NIST_CONFIG_DEFECTS = ['NIST SP 800-190 3.1.2', 'NIST SP 800-190 4.1.2'] as const;

/** NIST SP 800-190 embedded clear text secrets, and CIS Docker 4.10 (no secrets in the build). */
export const CLEAR_TEXT_SECRETS = ['NIST SP 800-190 3.1.4', 'NIST SP 800-190 4.1.4', 'CIS Docker 4.10'] as const;
