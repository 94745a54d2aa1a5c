// Module specifier → file, the way the analyzed project resolves it (tsconfig paths, index files,
// extension-less ESM, `.js` written for a `.ts` file). Shared by imports and routes (require mounts).
import { statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { ts } from 'ts-morph';
import type { LoadedFile, LoadedProject } from './project.ts';

export type Resolution =
  | { kind: 'file'; file: LoadedFile }
  | { kind: 'external'; packageName: string }
  | { kind: 'builtin' }
  /** resolved to something that is not analysed (a skipped test file, a .d.ts, JSON) */
  | { kind: 'ignored' }
  | { kind: 'unresolved' };

const BUILTINS = new Set(builtinModules);

export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') && parts.length > 1 ? `${parts[0]}/${parts[1]}` : parts[0];
}

function isBare(specifier: string): boolean {
  return !specifier.startsWith('.') && !path.isAbsolute(specifier);
}

export function resolveSpecifier(
  project: LoadedProject,
  specifier: string,
  fromAbs: string,
  mode: ts.ResolutionMode = ts.ModuleKind.ESNext,
): Resolution {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier)) return { kind: 'builtin' };
  const result = ts.resolveModuleName(specifier, fromAbs, project.compilerOptions, project.resolutionHost, project.resolutionCache, undefined, mode);
  const resolved = result.resolvedModule;
  if (resolved) {
    const file = project.byAbs.get(path.normalize(resolved.resolvedFileName));
    if (file) return { kind: 'file', file };
    if (resolved.isExternalLibraryImport || resolved.resolvedFileName.includes('/node_modules/')) {
      return { kind: 'external', packageName: packageNameOf(specifier) };
    }
    return { kind: 'ignored' };
  }
  if (isBare(specifier)) {
    // A bare specifier that resolves nowhere is a package that is not installed (or a path alias that
    // does not match); both are reported as external so that no edge is invented.
    return { kind: 'external', packageName: packageNameOf(specifier) };
  }
  // Prisma's `prisma-client` generator writes the client into the project (`output = "../src/generated/prisma"`), a
  // folder `prisma generate` makes and the repository leaves out: an import of it is the Prisma client, not a gap
  const target = path.resolve(path.dirname(fromAbs), specifier);
  if (project.prismaClientDirs.some((dir) => target === dir || target.startsWith(dir + path.sep))) return { kind: 'external', packageName: '@prisma/client' };
  // a file that is there but is no source (`import data from './x.json'`, a template a bundler loads), or what node's
  // require finds beside it (`require('./defaults')` → defaults.json, an addon's .node): not code, but not a gap either
  if (isFile(target)) return { kind: 'ignored' };
  if (mode === ts.ModuleKind.CommonJS && REQUIRE_DATA.some((suffix) => isFile(target + suffix))) return { kind: 'ignored' };
  return { kind: 'unresolved' };
}

/** What node's CommonJS resolution tries after the source extensions: JSON and native addons, as files and as a folder's index. */
const REQUIRE_DATA = ['.json', '.node', `${path.sep}index.json`, `${path.sep}index.node`];

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
