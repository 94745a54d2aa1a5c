// Whether two paths a user gave name one file, so that an output flag never overwrites an input.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/** The same path spelled differently, or a symlink or hard link to it. A path that does not exist yet is no file. */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
