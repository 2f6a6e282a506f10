// The package's own typings say `export default`, but it is CommonJS assigning module.exports:
// under NodeNext the default import is the function itself, so declare it that way.
declare module 'apache-md5' {
  /** Apache $apr1$ MD5 crypt of password; with a stored hash as salt it returns the hash to compare. */
  function aprMd5(password: string, salt?: string): string;
  export = aprMd5;
}
