// Loads a codebase into one ts-morph Project: the files found on disk, the compiler options from the
// root's tsconfig.json when there is one (paths, baseUrl), and a program whose type checker resolves
// symbols across files. Everything ts-specific stays inside analyzer/extract/.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Project, ts } from 'ts-morph';
import { parseJsonText } from '../../common/json-text.ts';
import { UserError } from '../../common/user-error.ts';
import { discoverFiles, type DiscoveredFile } from './discover.ts';
import { moduleResolutionHost, programResolution, shadowingDeclarations } from './resolution-host.ts';
import type { ExtractOptions, Warning } from './types.ts';

export interface LoadedFile extends DiscoveredFile {
  source: ts.SourceFile;
  loc: number;
}

export interface LoadedProject {
  root: string;
  files: LoadedFile[];
  /** absolute path (as the compiler sees it) → loaded file */
  byAbs: Map<string, LoadedFile>;
  program: ts.Program;
  checker: ts.TypeChecker;
  compilerOptions: ts.CompilerOptions;
  resolutionCache: ts.ModuleResolutionCache;
  /** the file system as module resolution sees it (resolution-host.ts) */
  resolutionHost: ts.ModuleResolutionHost;
  prismaSchemas: { abs: string; rel: string }[];
  /** `*.sql` files (schemas, migrations): read for the tables and keys they declare, not part of `files` */
  sqlFiles: { abs: string; rel: string }[];
  /** where the schemas' generators write the Prisma client (`output = "…"`), absolute */
  prismaClientDirs: string[];
  warnings: Warning[];
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/**
 * Compiler options used for every project. Module resolution is "Bundler" whatever the project says:
 * it resolves what real codebases write (extension-less ESM, index files, `.js` → `.ts`, tsconfig
 * paths) and what they run under Node or a bundler alike. `noResolve` keeps node_modules out of the
 * program: packages are listed as externals, never parsed, which keeps big codebases fast; calls on
 * package values are recognised as external by where the value comes from (package-values.ts).
 * `packageTypes: true` reads the packages' type declarations instead.
 */
function baseOptions(fromTsconfig: ts.CompilerOptions, withPackageTypes: boolean): ts.CompilerOptions {
  return {
    baseUrl: fromTsconfig.baseUrl,
    paths: fromTsconfig.paths,
    pathsBasePath: fromTsconfig.pathsBasePath,
    rootDirs: fromTsconfig.rootDirs,
    jsx: fromTsconfig.jsx ?? ts.JsxEmit.Preserve,
    experimentalDecorators: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowJs: true,
    checkJs: false,
    allowImportingTsExtensions: true,
    resolveJsonModule: true, // `require('../package.json')` resolves (to a file that is not analysed) instead of warning
    noEmit: true,
    noResolve: !withPackageTypes,
    types: [],
    lib: ['lib.es2022.d.ts'],
    skipLibCheck: true,
    preserveSymlinks: true,
    ignoreDeprecations: '6.0',
  };
}

/** The root's tsconfig.json, else its jsconfig.json (a JavaScript project's `paths` live there). */
function readTsconfig(root: string, warnings: Warning[]): ts.CompilerOptions {
  const name = ['tsconfig.json', 'jsconfig.json'].find((n) => existsSync(path.join(root, n)));
  if (!name) return {};
  const file = path.join(root, name);
  const read = ts.readConfigFile(file, (p) => ts.sys.readFile(p));
  if (read.error) {
    warnings.push({ file: name, message: `${name} could not be read (${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}), using defaults` });
    return {};
  }
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, file);
  for (const d of parsed.errors) {
    // "No inputs were found" is irrelevant: files come from the folder walk, not from include.
    if (d.code === 18003) continue;
    warnings.push({ file: name, message: `${name}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}` });
  }
  return parsed.options;
}

/**
 * module-alias's `_moduleAliases` in the root package.json (`"@models": "./src/models"`, loaded at run time
 * by `require('module-alias/register')`) as compiler `paths`, so that `require('@models/user')` resolves
 * to the file. Aliases the tsconfig already maps are left to it.
 */
function moduleAliasPaths(root: string, options: ts.CompilerOptions): ts.CompilerOptions {
  const file = path.join(root, 'package.json');
  if (!existsSync(file)) return options;
  let aliases: unknown;
  try {
    aliases = (parseJsonText(readFileSync(file, 'utf8')) as { _moduleAliases?: unknown })._moduleAliases;
  } catch {
    return options;
  }
  if (!aliases || typeof aliases !== 'object') return options;
  const paths: ts.MapLike<string[]> = { ...options.paths };
  let added = false;
  for (const [alias, target] of Object.entries(aliases)) {
    if (typeof target !== 'string' || alias in paths) continue;
    const abs = path.resolve(root, target);
    paths[alias] = [abs];
    paths[`${alias}/*`] = [`${abs}/*`];
    added = true;
  }
  return added ? { ...options, paths, pathsBasePath: options.pathsBasePath ?? root } : options;
}

function countLoc(text: string): number {
  let loc = 0;
  let blank = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (!blank) loc++;
      blank = true;
    } else if (c !== 32 && c !== 9 && c !== 13) {
      blank = false;
    }
  }
  return blank ? loc : loc + 1;
}

/**
 * Whether a JavaScript file's text is build output rather than source: lines of more than 110 characters on average
 * (GitHub Linguist's rule for minified files) and one of at least 500. The second keeps a short hand-written file
 * with one long line (`module.exports = { a: require('./a'), … }`) in.
 */
export function looksMinified(text: string): boolean {
  let lines = 1;
  let longest = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    longest = Math.max(longest, i - start);
    lines++;
    start = i + 1;
  }
  longest = Math.max(longest, text.length - start);
  return longest >= MINIFIED_LONGEST_LINE && (text.length - (lines - 1)) / lines > MINIFIED_AVERAGE_LINE;
}
const MINIFIED_AVERAGE_LINE = 110;
const MINIFIED_LONGEST_LINE = 500;
const JAVASCRIPT = new Set<string>(['js', 'mjs', 'cjs']);

export function loadProject(rootArg: string, options: ExtractOptions = {}): LoadedProject {
  const root = path.resolve(rootArg);
  if (!existsSync(root)) throw new UserError(`${rootArg} does not exist; pass the folder that holds the codebase's source`);
  if (!statSync(root).isDirectory()) throw new UserError(`${rootArg} is not a folder; pass the folder that holds the codebase's source`);

  const includeTests = options.includeTests ?? false;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const { files: found, prismaSchemas, sqlFiles, warnings, oversized, declarations } = discoverFiles(root, { includeTests, maxFileBytes });
  if (found.length === 0 && oversized > 0) {
    throw new UserError(`all ${oversized} source file${oversized === 1 ? '' : 's'} under ${rootArg} ${oversized === 1 ? 'is' : 'are'} over the ${maxFileBytes}-byte cap and ${oversized === 1 ? 'was' : 'were'} skipped; raise --max-file-bytes to read ${oversized === 1 ? 'it' : 'them'}`);
  }
  if (found.length === 0) {
    throw new UserError(`no .ts/.tsx/.js/.mjs/.cjs source files under ${rootArg} (node_modules, dist, build, built${includeTests ? '' : ' and tests'} are skipped); pass the folder that holds the codebase's source`);
  }

  const compilerOptions = baseOptions(moduleAliasPaths(root, readTsconfig(root, warnings)), options.packageTypes ?? false);

  const texts = new Map<string, { file: DiscoveredFile; text: string }>();
  const minified: string[] = [];
  for (let i = 0; i < found.length; i++) {
    const file = found[i];
    try {
      const text = readFileSync(file.abs, 'utf8');
      if (!options.includeMinified && JAVASCRIPT.has(file.language) && looksMinified(text)) minified.push(file.rel);
      else texts.set(file.abs, { file, text });
    } catch (err) {
      warnings.push({ file: file.rel, message: `cannot read ${file.rel}: ${(err as Error).message}` });
    }
    options.onProgress?.(i + 1, found.length, 'read');
  }

  const resolutionCache = ts.createModuleResolutionCache(root, (f) => f, compilerOptions);
  const resolutionHost = moduleResolutionHost(shadowingDeclarations(declarations, new Set(texts.keys())));
  const project = new Project({
    compilerOptions,
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    // only a tree with declaration files beside its JavaScript resolves through its own host; others as they always have
    resolutionHost: resolutionHost === ts.sys ? undefined : programResolution(resolutionHost, resolutionCache),
  });
  for (const { file, text } of texts.values()) project.createSourceFile(file.abs, text, { overwrite: true });
  if (minified.length > 0) {
    const n = minified.length;
    if (texts.size === 0) {
      throw new UserError(`all ${n} source file${n === 1 ? '' : 's'} under ${rootArg} look${n === 1 ? 's' : ''} minified or bundled (build output, not source) and ${n === 1 ? 'was' : 'were'} skipped; pass the folder that holds the codebase's source, or --include-minified to read ${n === 1 ? 'it' : 'them'}`);
    }
    warnings.push({
      file: minified[0],
      message: `${n} JavaScript file${n === 1 ? '' : 's'} that look${n === 1 ? 's' : ''} minified or bundled skipped (build output, not source): ${minified[0]}${n > 1 ? ` and ${n - 1} more` : ''}; --include-minified reads them`,
    });
  }

  const program = project.getProgram().compilerObject;
  const files: LoadedFile[] = [];
  const byAbs = new Map<string, LoadedFile>();
  for (const { file, text } of texts.values()) {
    const source = program.getSourceFile(file.abs);
    if (!source) continue;
    const loaded: LoadedFile = { ...file, source, loc: countLoc(text) };
    files.push(loaded);
    byAbs.set(path.normalize(source.fileName), loaded);
    const syntax = program.getSyntacticDiagnostics(source);
    if (syntax.length > 0) {
      const d = syntax[0];
      const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line + 1;
      warnings.push({ file: file.rel, message: `${file.rel}:${line}: syntax error (${ts.flattenDiagnosticMessageText(d.messageText, ' ')}); facts from this file may be incomplete` });
    }
  }

  const prismaClientDirs = prismaSchemas.flatMap((s) => generatorOutputs(s.abs));
  return { root, files, byAbs, program, checker: program.getTypeChecker(), compilerOptions, resolutionCache, resolutionHost, prismaSchemas, sqlFiles, prismaClientDirs, warnings };
}

/** The `output` folders of a schema's `generator` blocks, resolved from the schema's folder (unreadable: none). */
function generatorOutputs(schemaAbs: string): string[] {
  let text: string;
  try {
    text = readFileSync(schemaAbs, 'utf8');
  } catch {
    return []; // loadPrismaModels warns about it
  }
  const out: string[] = [];
  for (const block of text.matchAll(/^\s*generator\s+\w+\s*\{([\s\S]*?)^\s*\}/gm)) {
    const output = /^\s*output\s*=\s*"([^"]+)"/m.exec(block[1]);
    if (output) out.push(path.resolve(path.dirname(schemaAbs), output[1]));
  }
  return out;
}
