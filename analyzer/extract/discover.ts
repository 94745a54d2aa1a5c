// Finds the source files under a root: which files the analyzer reads, and which it skips and why.
// Walks the folder itself (not tsconfig's include) so that analysis sees what is on disk, follows
// symlinked folders once (real paths are remembered, so loops end) and never reads a file to decide.
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { FileFact, Warning } from './types.ts';

export interface DiscoveredFile {
  /** absolute path as walked (symlinks not resolved) */
  abs: string;
  /** POSIX path relative to the root */
  rel: string;
  size: number;
  language: FileFact['language'];
}

export interface DiscoverOptions {
  includeTests: boolean;
  maxFileBytes: number;
}

const LANGUAGE_BY_EXT: Record<string, FileFact['language']> = {
  '.ts': 'ts',
  '.tsx': 'tsx',
  '.mts': 'mts',
  '.cts': 'cts',
  '.js': 'js',
  '.jsx': 'js',
  '.mjs': 'mjs',
  '.cjs': 'cjs',
};

/** Folders that never hold the application's own source. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', 'built', 'out', 'coverage', 'bower_components']);
const TEST_DIRS = new Set(['test', 'tests', '__tests__', '__mocks__', 'spec']);
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;
const MINIFIED_FILE = /[.-]min\.[cm]?js$/;

function isDeclaration(file: string): boolean {
  return file.endsWith('.d.ts') || file.endsWith('.d.mts') || file.endsWith('.d.cts');
}

export function languageOf(file: string): FileFact['language'] | undefined {
  if (isDeclaration(file)) return undefined;
  return LANGUAGE_BY_EXT[path.extname(file)];
}

export function isTestPath(rel: string): boolean {
  if (TEST_FILE.test(rel)) return true;
  const parts = rel.split('/');
  parts.pop();
  return parts.some((p) => TEST_DIRS.has(p));
}

export interface Discovery {
  files: DiscoveredFile[];
  /** Prisma schema files (`*.prisma`), read by the table extractor */
  prismaSchemas: { abs: string; rel: string }[];
  /** SQL schema and migration files (`*.sql`) within the size cap, read by the table extractor; never source files */
  sqlFiles: { abs: string; rel: string }[];
  warnings: Warning[];
  /** source files skipped for being over `maxFileBytes` (each also a warning) */
  oversized: number;
  /** declaration files (`.d.ts`, `.d.mts`, `.d.cts`), absolute: never read, but they can stand in front of the JavaScript beside them */
  declarations: string[];
}

export function discoverFiles(root: string, options: DiscoverOptions): Discovery {
  const files: DiscoveredFile[] = [];
  const prismaSchemas: Discovery['prismaSchemas'] = [];
  const sqlFiles: Discovery['sqlFiles'] = [];
  const declarations: string[] = [];
  const warnings: Warning[] = [];
  const seenDirs = new Set<string>();
  let oversized = 0;
  let rootReal: string | undefined;

  const walk = (dir: string, relDir: string): void => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (seenDirs.has(real)) {
      if (relDir !== '') warnings.push({ file: relDir, message: `folder ${relDir} was already read through another path (symlink loop?), skipped` });
      return;
    }
    rootReal ??= real;
    if (holds(real, rootReal)) {
      // a link up the tree (`up -> ..`) would read the folders beside the root as if they were the codebase's
      warnings.push({ file: relDir, message: `folder ${relDir} links to ${real}, which holds the folder being analysed; skipped` });
      return;
    }
    seenDirs.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      warnings.push({ file: relDir || '.', message: `cannot read folder: ${(err as Error).message}` });
      return;
    }
    // Sorted so that output order does not depend on the file system.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const abs = path.join(dir, entry.name);
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = statSync(abs);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          warnings.push({ file: rel, message: `broken symlink ${rel}, skipped` });
          continue;
        }
      }
      if (isDir) {
        if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
        if (!options.includeTests && TEST_DIRS.has(entry.name)) continue;
        walk(abs, rel);
      } else if (isFile) {
        if (entry.name.endsWith('.prisma')) prismaSchemas.push({ abs, rel });
        const isSql = entry.name.endsWith('.sql');
        const language = languageOf(entry.name);
        if (!language && !isSql) {
          if (isDeclaration(entry.name)) declarations.push(abs);
          continue;
        }
        if (language && !options.includeTests && TEST_FILE.test(entry.name)) continue;
        if (language && MINIFIED_FILE.test(entry.name)) continue; // built assets, not source
        let size: number;
        try {
          size = statSync(abs).size;
        } catch {
          continue;
        }
        if (size > options.maxFileBytes) {
          warnings.push({ file: rel, message: `${rel} is ${size} bytes, over the ${options.maxFileBytes}-byte cap, skipped (raise --max-file-bytes to read it)` });
          if (language) oversized++;
          continue;
        }
        if (language) files.push({ abs, rel, size, language });
        else sqlFiles.push({ abs, rel });
      }
    }
  };

  walk(root, '');
  return { files, prismaSchemas, sqlFiles, warnings, oversized, declarations };
}

/** Whether folder `outer` holds `inner` (a real path strictly above it). */
function holds(outer: string, inner: string): boolean {
  const rel = path.relative(outer, inner);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
