// How `strangler analyze` names the analysed root in plan.json, the reports and its summary.
import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * The path from the working directory when the root is inside it (`legacy-monolith`, `.`): short, and the same on
 * every machine for a plan committed beside the code. Else the absolute path: a `../..` names nothing once the
 * plan or the summary is read away from the folder the command ran in.
 */
export function rootLabel(root: string, cwd: string = process.cwd()): string {
  const absolute = resolve(cwd, root);
  const fromCwd = relative(cwd, absolute);
  if (fromCwd === '') return '.';
  // another drive (Windows) gives an absolute path back
  if (fromCwd === '..' || fromCwd.startsWith(`..${sep}`) || isAbsolute(fromCwd)) return absolute;
  return fromCwd;
}
