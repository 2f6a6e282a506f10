// @yarnpkg/lockfile ships no types; only parse is used.
declare module '@yarnpkg/lockfile' {
  export interface ParseResult {
    type: 'success' | 'merge' | 'conflict';
    object: Record<string, unknown>;
  }
  export function parse(text: string, fileLoc?: string): ParseResult;
  const lockfile: { parse: typeof parse };
  export default lockfile;
}
