// The file system module resolution sees. A published package's build ships a `.d.ts` beside each compiled `.js`, and
// the compiler prefers `x.d.ts` to `x.js` for `import './x.js'`: every cross-file symbol would land on a declaration,
// which is no source. A declaration file with analysed JavaScript beside it is hidden, so resolution goes on to the
// implementation; declaration files alone (a TypeScript project's own, `declare module`) resolve as before.
import path from 'node:path';
import { ts } from 'ts-morph';
import type { ResolutionHostFactory } from 'ts-morph';

/** What each declaration extension declares: `x.d.ts` is `x.js` (or `.jsx`), `x.d.mts` is `x.mjs`, `x.d.cts` is `x.cjs`. */
const IMPLEMENTATIONS: [declaration: string, implementations: string[]][] = [
  ['.d.ts', ['.js', '.jsx']],
  ['.d.mts', ['.mjs']],
  ['.d.cts', ['.cjs']],
];

/** Slash-separated, the form the compiler asks about files in. */
function compilerPath(abs: string): string {
  return path.sep === '/' ? abs : abs.split(path.sep).join('/');
}

/**
 * The declaration files (absolute) that stand in front of an analysed JavaScript file beside them, in the compiler's
 * path form. `analysed` holds the absolute paths of the source files read.
 */
export function shadowingDeclarations(declarations: readonly string[], analysed: ReadonlySet<string>): Set<string> {
  const shadowing = new Set<string>();
  for (const declaration of declarations) {
    const entry = IMPLEMENTATIONS.find(([ext]) => declaration.endsWith(ext));
    if (!entry) continue;
    const base = declaration.slice(0, -entry[0].length);
    if (entry[1].some((ext) => analysed.has(base + ext))) shadowing.add(compilerPath(declaration));
  }
  return shadowing;
}

/** `ts.sys` for module resolution, with the shadowing declaration files hidden (none: `ts.sys` itself). */
export function moduleResolutionHost(hidden: ReadonlySet<string>): ts.ModuleResolutionHost {
  if (hidden.size === 0) return ts.sys;
  return {
    fileExists: (file) => !hidden.has(file) && ts.sys.fileExists(file),
    readFile: (file) => ts.sys.readFile(file),
    directoryExists: (dir) => ts.sys.directoryExists(dir),
    realpath: ts.sys.realpath && ((p) => ts.sys.realpath!(p)),
    getCurrentDirectory: () => ts.sys.getCurrentDirectory(),
    getDirectories: (dir) => ts.sys.getDirectories(dir),
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
  };
}

/**
 * The program's module resolution through `host`, sharing `cache` with the analyzer's own look-ups (resolve.ts). Each
 * name keeps the mode (import or require) of the place it is written, as the compiler's own resolution does.
 */
export function programResolution(host: ts.ModuleResolutionHost, cache: ts.ModuleResolutionCache): ResolutionHostFactory {
  return () => ({
    resolveModuleNames: (names, containingFile, _reused, redirected, options, containingSourceFile) =>
      names.map((name, i) => {
        const mode = containingSourceFile ? ts.getModeForResolutionAtIndex(containingSourceFile, i, options) : undefined;
        return ts.resolveModuleName(name, containingFile, options, host, cache, redirected, mode).resolvedModule;
      }),
  });
}
