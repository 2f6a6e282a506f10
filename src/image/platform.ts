import type { Platform } from '../types.js';
import { CavasError } from '../util/errors.js';

const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** Container images are Linux images whatever the host OS; only the CPU follows the host. */
export function hostPlatform(): Platform {
  const architecture = NODE_ARCH[process.arch] ?? process.arch;
  return architecture === 'arm64' ? { os: 'linux', architecture, variant: 'v8' } : { os: 'linux', architecture };
}

export function parsePlatform(s: string): Platform {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new CavasError('USAGE', `invalid --platform "${s}": expected os/arch[/variant], e.g. linux/arm64`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** arm64 images usually omit their implied v8 variant; amd64 ones their v1. */
function defaultVariant(arch: string): string | undefined {
  if (arch === 'arm64') return 'v8';
  if (arch === 'amd64') return 'v1';
  return undefined;
}

export function platformMatches(want: Platform, have: Partial<Platform>): boolean {
  if ((have.os ?? 'linux') !== want.os || have.architecture !== want.architecture) return false;
  const wantVariant = want.variant ?? defaultVariant(want.architecture);
  const haveVariant = have.variant ?? defaultVariant(want.architecture);
  return wantVariant === haveVariant || want.variant === undefined;
}
