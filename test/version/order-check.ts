/** Shared checks for the version-scheme tests: expectation tables, chains, and total-order properties. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { VersionScheme } from '../../src/version/scheme.js';

export type Op = '<' | '=' | '>';
export type Case = [string, Op, string];

export const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const want = (op: Op): number => (op === '<' ? -1 : op === '>' ? 1 : 0);
const opOf = (s: number): Op => (s < 0 ? '<' : s > 0 ? '>' : '=');

/**
 * Chains written as the specs state them: 'a < b = c < d'. Every pair of a
 * chain is an expectation, not just neighbours, so each chain also checks
 * transitivity along it.
 */
export function chainCases(chain: string): Case[] {
  const tokens = chain.trim().split(/ ([<=]) /);
  const versions: string[] = [];
  const rank: number[] = [];
  let r = 0;
  tokens.forEach((t, i) => {
    if (i % 2 === 1) {
      if (t === '<') r++;
      return;
    }
    versions.push(t);
    rank.push(r);
  });
  const out: Case[] = [];
  for (let i = 0; i < versions.length; i++) {
    for (let j = i + 1; j < versions.length; j++) {
      out.push([versions[i] as string, rank[i] === rank[j] ? '=' : '<', versions[j] as string]);
    }
  }
  return out;
}

/** Every case that disagrees, in both argument orders, as readable lines. */
export function mismatches(scheme: VersionScheme, cases: Case[]): string[] {
  const bad: string[] = [];
  for (const [a, op, b] of cases) {
    let got: number;
    let back: number;
    try {
      got = sign(scheme.compare(a, b));
      back = sign(scheme.compare(b, a));
    } catch (e) {
      bad.push(`${JSON.stringify(a)} ${op} ${JSON.stringify(b)}: threw ${(e as Error).message}`);
      continue;
    }
    if (got !== want(op)) bad.push(`${JSON.stringify(a)} ${op} ${JSON.stringify(b)}: got ${opOf(got)}`);
    if (back !== -want(op) + 0) bad.push(`${JSON.stringify(b)} vs ${JSON.stringify(a)} (swapped): got ${opOf(back)}`);
  }
  return bad;
}

export function versionsOf(cases: Case[]): string[] {
  return [...new Set(cases.flatMap(([a, , b]) => [a, b]))];
}

/**
 * compare() is a total preorder on `versions`: after sorting, every pair
 * (i < j) compares as the sorted positions of their equality classes say, in
 * both argument orders. That is antisymmetry and transitivity on the whole
 * set, checked in n^2 comparisons instead of n^3.
 */
export function assertTotalOrder(scheme: VersionScheme, versions: string[]): void {
  const sorted = [...versions].sort((a, b) => scheme.compare(a, b));
  const rank: number[] = [];
  sorted.forEach((v, i) => rank.push(i === 0 ? 0 : (rank[i - 1] as number) + (sign(scheme.compare(sorted[i - 1] as string, v)) === 0 ? 0 : 1)));
  const bad: string[] = [];
  for (let i = 0; i < sorted.length && bad.length < 10; i++) {
    const a = sorted[i] as string;
    if (sign(scheme.compare(a, a)) !== 0) bad.push(`${JSON.stringify(a)} is not equal to itself`);
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j] as string;
      const expected = (rank[i] as number) < (rank[j] as number) ? -1 : 0;
      const got = sign(scheme.compare(a, b));
      const back = sign(scheme.compare(b, a));
      if (got !== expected || back !== -expected + 0) bad.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${got}/${back}, sorted order says ${expected}`);
    }
  }
  assert.deepEqual(bad, []);
}

export function isInstalled(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}
