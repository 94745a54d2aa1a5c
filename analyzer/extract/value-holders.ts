// Which files can reach a value a package makes (a MongoDB collection, a Redis client) without naming the
// package: the files that mention it are read first, then the files that mention a name, declared in a file
// already read, holding such a value (`import { books } from './db'`), and so on, a few rounds deep. Keeps the
// readers cheap on trees that do not use the package.
import path from 'node:path';
import { ts } from 'ts-morph';
import { isFunctionLike, lineOf, shownSource } from './functions.ts';
import { guarded } from './guard.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { fileOf } from './symbols.ts';
import type { Warning } from './types.ts';
import { unwrap } from './value-key.ts';

/** What a reader knows of its package's values: truthy for a value it follows. */
export interface ValueProbe {
  valueOf(expr: ts.Expression): unknown;
  /** what a function returns, when it is such a value */
  returnedBy(fn: ts.SignatureDeclaration): unknown;
}

export interface HolderSearch {
  /** files that mention the package */
  seed: LoadedFile[];
  probe: ValueProbe;
  /** words a declaration holding a value, or a function returning one, has in its text */
  words: RegExp;
  /** what a failure while reading a file is reported as ("MongoDB collections") */
  what: string;
}

const MAX_ROUNDS = 4;
/** What a function body must have for a name in it to be reached from elsewhere. */
const MEMBER_WORDS = /\bthis\.|\bexports\b|\bclass\b/;

export function filesReaching(project: LoadedProject, search: HolderSearch, warnings: Warning[]): Set<LoadedFile> {
  const files = new Set<LoadedFile>();
  const names = new Set<string>();
  let round = search.seed;
  for (let i = 0; i < MAX_ROUNDS && round.length > 0; i++) {
    const fresh: string[] = [];
    for (const file of round) {
      files.add(file);
      guarded(file, warnings, search.what, () => holderNames(file, search, names, fresh));
    }
    if (fresh.length === 0) break;
    const mentions = wordsRegExp(fresh);
    round = project.files.filter((f) => !files.has(f) && mentions.test(f.source.text));
  }
  return files;
}

/**
 * The names another file can reach a value by: module-level variables and functions, class and object
 * members, interface members, `this.x =` / `exports.x =` assignments. Locals are not looked at, as no other
 * file can name them, nor declarations whose text has none of the words and no name found so far: they are
 * most of a file, and asking the checker about each of them costs.
 */
function holderNames(file: LoadedFile, search: HolderSearch, names: Set<string>, fresh: string[]): void {
  const { probe, words } = search;
  const text = file.source.text;
  let known: RegExp | undefined;
  const mayHold = (node: ts.Node): boolean => {
    const own = text.slice(node.pos, node.end);
    if (words.test(own)) return true;
    if (names.size === 0) return false;
    known ??= wordsRegExp([...names]);
    return known.test(own);
  };
  const add = (name: ts.Node | string | undefined, value: unknown): void => {
    const text = typeof name === 'string' ? name : name && ts.isIdentifier(name) ? name.text : undefined;
    if (!value || !text || names.has(text)) return;
    names.add(text);
    fresh.push(text);
    known = undefined;
  };
  const visit = (node: ts.Node, local: boolean): void => {
    if (!local && (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node)) && ts.isIdentifier(node.name)) {
      const init = node.initializer && unwrap(node.initializer);
      if (mayHold(node)) add(node.name, init && isFunctionLike(init) ? probe.returnedBy(init) : probe.valueOf(node.name));
    } else if (!local && (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.body) {
      if (mayHold(node)) add(node.name, probe.returnedBy(node));
    } else if ((ts.isPropertySignature(node) || (ts.isParameter(node) && ts.isParameterPropertyDeclaration(node, node.parent))) && node.type) {
      // interface Locals { db: Db }, constructor(private readonly redis: Redis)
      add(node.name, ts.isIdentifier(node.name) ? probe.valueOf(node.name) : undefined);
    } else if (!local && (ts.isExportAssignment(node) || isModuleExports(node)) && mayHold(node)) {
      // `module.exports = client`, `export default new Redis()`: the importers name the module, not the value
      const value = ts.isExportAssignment(node) ? node.expression : (node as ts.BinaryExpression).right;
      if (probe.valueOf(value)) add(moduleWord(file), true);
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
      const target = unwrap(node.left.expression);
      const named = target.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(target) && target.text === 'exports') ||
        (ts.isPropertyAccessExpression(target) && target.name.text === 'exports');
      if (named && mayHold(node)) add(node.left.name, probe.valueOf(node.right));
    }
    if (isFunctionLike(node)) {
      // what a function declares is local to it, except the members of a class declared there and what it
      // assigns to this / exports; a body with none of those is not walked
      for (const p of node.parameters) visit(p, true);
      const body = 'body' in node ? (node.body as ts.Node | undefined) : undefined;
      if (body && MEMBER_WORDS.test(text.slice(body.pos, body.end))) visit(body, true);
      return;
    }
    ts.forEachChild(node, (child) => visit(child, local && !ts.isClassLike(node)));
  };
  visit(file.source, false);
}

function wordsRegExp(words: readonly string[]): RegExp {
  return new RegExp(`\\b(?:${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`);
}

function isModuleExports(node: ts.Node): boolean {
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const left = unwrap(node.left);
  return ts.isPropertyAccessExpression(left) && ts.isIdentifier(left.expression) && left.expression.text === 'module' && left.name.text === 'exports';
}

/** The word a module is imported by: `require('../db/cache')` → `cache`, `'./db'` for `db/index.js` → `db`. */
export function moduleWord(file: LoadedFile): string {
  const base = path.posix.basename(file.rel).replace(/\.[^.]+$/, '');
  return base === 'index' ? path.posix.basename(path.posix.dirname(file.rel)) : base;
}

/**
 * A collection name or key made at run time: one warning where it is made, however many calls reach it (`warned`
 * holds the places already reported), saying what it is and that its reads and writes are not reported.
 */
export function warnMadeAtRunTime(project: LoadedProject, warned: Set<ts.Node>, warnings: Warning[], made: ts.Node, what: string): void {
  if (warned.has(made)) return;
  warned.add(made);
  const where = fileOf(project, made);
  if (!where) return;
  warnings.push({ file: where.rel, message: `${where.rel}:${lineOf(made, where.source)}: ${what} (${shownSource(made, where.source)}); its reads and writes are not reported` });
}
