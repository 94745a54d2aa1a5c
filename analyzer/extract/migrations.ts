// Which source files are database migrations or seeds: schema history, not service code. A file needs both a folder
// (`migrations/`, `migration/`, `seeds/`, `seeders/`) and a migration's shape, so a `migration/` feature module or an
// `up()` outside such a folder stays app code; a file that registers or handles a route never is one, nor one that
// app code imports and only its versioned name marks. The user has the last word (`migrations` / `notMigrations` globs).
import { ts } from 'ts-morph';
import { pathMatcher } from '../../common/glob.ts';
import { isModuleExports } from './functions.ts';
import { guarded } from './guard.ts';
import type { LoadedFile } from './project.ts';
import type { ImportEdge, MigrationFile, RouteFact, Warning } from './types.ts';

const MIGRATION_FOLDERS: ReadonlySet<string> = new Set(['migrations', 'migration']);
const SEED_FOLDERS: ReadonlySet<string> = new Set(['seeds', 'seeders']);
/** folders whose name says seed data; their files are seeds only when nothing but scripts loads them (`addSeedFolders`) */
const SEED_DATA_FOLDERS: ReadonlySet<string> = new Set([...SEED_FOLDERS, 'fixtures']);

/** knex, Sequelize, umzug, node-pg-migrate and db-migrate run a module's `up`; knex runs a seed's `seed`. */
const STEP_EXPORTS: ReadonlySet<string> = new Set(['up', 'seed']);

/**
 * Runners apply migrations in name order, so their files carry a version first: `20240101_init.js`, `1700000000000-Users.ts`,
 * Ghost's `2022-05-03-15-30-final-v4.js` and `01-noop.js`, MikroORM's `Migration20240101120000.ts`.
 */
const VERSIONED_NAME = /^(\d|Migration\d)/;

/** TypeORM's `implements MigrationInterface`, MikroORM's `extends Migration`, and bases named like them. */
const MIGRATION_BASE = /Migration(Interface)?$/;

interface Folder {
  folder: string;
  kind: MigrationFile['kind'];
}

/** The outermost migrations or seeds folder above the file, when there is one. */
function migrationFolder(rel: string): Folder | undefined {
  const segments = rel.split('/').slice(0, -1);
  for (let i = 0; i < segments.length; i++) {
    const name = segments[i].toLowerCase();
    if (MIGRATION_FOLDERS.has(name) || SEED_FOLDERS.has(name)) {
      const inSeeds = segments.slice(i).some((s) => SEED_FOLDERS.has(s.toLowerCase()));
      return { folder: segments.slice(0, i + 1).join('/'), kind: inSeeds ? 'seed' : 'migration' };
    }
  }
  return undefined;
}

/** What the user says, over the hints: globs of files that are migrations or seeds, and of files that are not. */
export interface MigrationOverrides {
  migrations?: readonly string[];
  notMigrations?: readonly string[];
}

interface Glob {
  glob: string;
  matches: (rel: string) => boolean;
}

/**
 * Every file in a migrations or seeds folder with a migration's shape, plus the files of those folders that only
 * such files import (Ghost's `migrations/utils/`, which its migrations are made by); then what the user says: a file
 * a `notMigrations` glob matches stays app code, one a `migrations` glob matches is set aside wherever it is. A glob
 * that changes nothing is a warning naming it. Sorted by file.
 */
export function findMigrations(
  files: readonly LoadedFile[],
  imports: readonly ImportEdge[],
  routes: readonly RouteFact[],
  warnings: Warning[],
  overrides: MigrationOverrides = {},
): MigrationFile[] {
  const serving = new Set<string>();
  for (const r of routes) {
    serving.add(r.file);
    if (r.handler.file) serving.add(r.handler.file);
  }
  const shapes = new Map<LoadedFile, Shape | undefined>();
  const shape = (file: LoadedFile): Shape | undefined => {
    if (!shapes.has(file)) {
      shapes.set(file, undefined); // a file that fails is warned of once
      guarded(file, warnings, 'migration shape', () => shapes.set(file, shapeOf(file)));
    }
    return shapes.get(file);
  };
  const are = (overrides.migrations ?? []).map(globOf);
  const areNot = (overrides.notMigrations ?? []).map(globOf);
  const found = detect(files, imports, serving, shape, are, areNot);
  if (are.length > 0 || areNot.length > 0) {
    const rels = files.map((f) => f.rel);
    for (const g of are) if (!rels.some(g.matches)) warnings.push({ message: `migration glob "${g.glob}" matches no analysed file; use a path relative to the analysed root` });
    const byHints = areNot.length > 0 ? [...detect(files, imports, serving, shape, [], []).keys()] : [];
    for (const g of areNot) {
      if (!rels.some(g.matches)) warnings.push({ message: `not-migration glob "${g.glob}" matches no analysed file; use a path relative to the analysed root` });
      else if (!byHints.some(g.matches)) warnings.push({ message: `not-migration glob "${g.glob}" matches no file taken for a migration or seed: it changes nothing` });
    }
  }
  return [...found.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

function globOf(glob: string): Glob {
  return { glob, matches: pathMatcher(glob) };
}

function detect(
  files: readonly LoadedFile[],
  imports: readonly ImportEdge[],
  serving: ReadonlySet<string>,
  shape: (file: LoadedFile) => Shape | undefined,
  are: readonly Glob[],
  areNot: readonly Glob[],
): Map<string, MigrationFile> {
  const found = new Map<string, MigrationFile>();
  const rest = new Map<string, Folder>(); // in such a folder, no shape of its own
  for (const file of files) {
    if (areNot.length > 0 && areNot.some((g) => g.matches(file.rel))) continue;
    const folder = migrationFolder(file.rel);
    if (are.length > 0 && are.some((g) => g.matches(file.rel))) {
      // the user's word is its mark, so no later sign (a versioned name app code imports) takes it back
      const kind = shape(file)?.seed ? 'seed' : (folder?.kind ?? 'migration');
      found.set(file.rel, { file: file.rel, kind, by: 'option', folder: folder?.folder ?? parentFolder(file.rel) });
      continue;
    }
    if (!folder || serving.has(file.rel)) continue;
    const s = shape(file);
    if (s) found.set(file.rel, { file: file.rel, kind: s.seed ? 'seed' : folder.kind, by: s.by, folder: folder.folder });
    else rest.set(file.rel, folder);
  }
  dropImportedByApp(found, imports);
  addHelpers(found, rest, imports);
  addSeedFolders(found, files, imports, serving, areNot);
  return found;
}

function parentFolder(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '.' : rel.slice(0, slash);
}

/**
 * A versioned name is the weakest sign: such a file that code outside the migrations imports is app code
 * (`migration/3dcart.js` of a shop-import feature). Runners load migrations by folder; a TypeORM data source that
 * imports its migration classes does not need this sign (the class is one).
 */
function dropImportedByApp(found: Map<string, MigrationFile>, imports: readonly ImportEdge[]): void {
  // until nothing changes: a versioned file only another dropped one imports is dropped too
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of imports) {
      if (e.from !== e.to && found.get(e.to)?.by === 'name' && !found.has(e.from)) changed = found.delete(e.to) || changed;
    }
  }
}

/**
 * Seed data a folder's name announces (`seeds`, `seeders`, `fixtures`) that no app code loads: every file outside the
 * folder that imports one of its files is a migration or seed, or, for `seeds` and `seeders`, a script nothing imports
 * and no route comes from (a CLI command). Ghost's development data generator (`data/seeders/`, run by `core/cli/generate-data.js`) and the
 * fixtures its first migration inserts (`data/schema/fixtures/`). A folder nothing loads says nothing; one app code
 * imports, or where a route is registered or handled, is app code.
 */
function addSeedFolders(
  found: Map<string, MigrationFile>,
  files: readonly LoadedFile[],
  imports: readonly ImportEdge[],
  serving: ReadonlySet<string>,
  areNot: readonly Glob[],
): void {
  const folders = new Map<string, string[]>(); // folder → its files not already found
  const serves = new Set<string>();
  for (const file of files) {
    const folder = seedDataFolder(file.rel);
    if (folder === undefined || found.has(file.rel)) continue;
    // a file the user says is not a seed keeps its whole folder in the graph
    if (serving.has(file.rel) || areNot.some((g) => g.matches(file.rel))) serves.add(folder);
    folders.set(folder, [...(folders.get(folder) ?? []), file.rel]);
  }
  if (folders.size === 0) return;
  const imported = new Set<string>();
  const importers = new Map<string, string[]>(); // file → files importing it
  for (const e of imports) {
    if (e.from === e.to || e.typeOnly) continue;
    imported.add(e.to);
    importers.set(e.to, [...(importers.get(e.to) ?? []), e.from]);
  }
  const script = (file: string): boolean => !imported.has(file) && !serving.has(file);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [folder, inside] of folders) {
      if (serves.has(folder)) continue;
      // a `fixtures` folder an entry file loads may be data the app runs on: only migrations and seeds say it is seed data
      const byScript = SEED_FOLDERS.has(folder.slice(folder.lastIndexOf('/') + 1).toLowerCase());
      const outside = inside.flatMap((f) => importers.get(f) ?? []).filter((f) => !f.startsWith(`${folder}/`));
      if (outside.length === 0 || !outside.every((f) => found.has(f) || (byScript && script(f)))) continue;
      for (const file of inside) found.set(file, { file, kind: 'seed', by: 'script', folder });
      folders.delete(folder);
      changed = true;
    }
  }
}

/** The outermost folder above the file whose name says seed data, when there is one. */
function seedDataFolder(rel: string): string | undefined {
  const segments = rel.split('/').slice(0, -1);
  const i = segments.findIndex((s) => SEED_DATA_FOLDERS.has(s.toLowerCase()));
  return i < 0 ? undefined : segments.slice(0, i + 1).join('/');
}

/** Files of a migrations folder imported by migrations and nothing else (a fixpoint: a helper's helper is one too). */
function addHelpers(found: Map<string, MigrationFile>, rest: ReadonlyMap<string, Folder>, imports: readonly ImportEdge[]): void {
  const importers = new Map<string, Set<string>>();
  for (const e of imports) {
    if (e.from !== e.to && rest.has(e.to)) importers.set(e.to, (importers.get(e.to) ?? new Set()).add(e.from));
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [file, by] of importers) {
      if (found.has(file) || ![...by].every((f) => found.has(f))) continue;
      const folder = rest.get(file)!;
      found.set(file, { file, kind: folder.kind, by: 'helper', folder: folder.folder });
      changed = true;
    }
  }
}

interface Shape {
  by: MigrationFile['by'];
  seed?: true;
}

function shapeOf(file: LoadedFile): Shape | undefined {
  const exported = exportedNames(file.source);
  if (exported.has('seed')) return { by: 'exports', seed: true };
  if (exported.has('up')) return { by: 'exports' };
  if (file.source.statements.some(isMigrationClass)) return { by: 'class' };
  const base = file.rel.slice(file.rel.lastIndexOf('/') + 1);
  if (VERSIONED_NAME.test(base)) return { by: 'name' };
  return undefined;
}

/** The names among `up` and `seed` a module exports, CommonJS or ESM. */
function exportedNames(source: ts.SourceFile): Set<string> {
  const out = new Set<string>();
  const note = (name: string | undefined): void => {
    if (name !== undefined && STEP_EXPORTS.has(name)) out.add(name);
  };
  for (const s of source.statements) {
    if (ts.isFunctionDeclaration(s) && isExported(s)) note(s.name?.text);
    else if (ts.isVariableStatement(s) && isExported(s)) {
      for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) note(d.name.text);
    } else if (ts.isExportDeclaration(s) && s.exportClause && ts.isNamedExports(s.exportClause)) {
      for (const e of s.exportClause.elements) note(e.name.text);
    } else if (ts.isExportAssignment(s)) {
      for (const name of objectKeys(s.expression)) note(name);
    } else if (ts.isExpressionStatement(s)) {
      commonJsExports(s.expression, note);
    }
  }
  return out;
}

/** `exports.up = …`, `module.exports.up = …`, `module.exports = { up }` (through `module.exports = module.exports = …`). */
function commonJsExports(expression: ts.Expression, note: (name: string) => void): void {
  let e = skipParentheses(expression);
  while (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const target = e.left;
    if (ts.isPropertyAccessExpression(target) && isModuleExports(target.expression)) note(target.name.text);
    else if (isModuleExports(target)) for (const name of objectKeys(e.right)) note(name);
    e = skipParentheses(e.right);
  }
}

function objectKeys(expression: ts.Expression): string[] {
  const e = skipParentheses(expression);
  if (!ts.isObjectLiteralExpression(e)) return [];
  const out: string[] = [];
  for (const p of e.properties) {
    if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) out.push(p.name.text);
  }
  return out;
}

function isMigrationClass(s: ts.Statement): boolean {
  if (!ts.isClassDeclaration(s)) return false;
  const hasUp = s.members.some((m) => ts.isMethodDeclaration(m) && m.name !== undefined && ts.isIdentifier(m.name) && m.name.text === 'up');
  const base = (s.heritageClauses ?? []).some((h) => h.types.some((t) => MIGRATION_BASE.test(t.expression.getText(s.getSourceFile()))));
  return hasUp && base;
}

function isExported(s: ts.FunctionDeclaration | ts.VariableStatement): boolean {
  return ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
}

function skipParentheses(e: ts.Expression): ts.Expression {
  return ts.isParenthesizedExpression(e) ? skipParentheses(e.expression) : e;
}
