// Which code reads and writes the tables of Bookshelf models (bookshelf-models.ts): a call of a method named below on
// a model (`Post`, `models.Post`, `db.model('Post')`), on `Post.forge(…)` / `new Post(…)`, at the end of a
// `where(…)` / `query(…)` / `orderBy(…)` chain, on a local holding one of these or an instance a model call handed back
// (`const post = await models.Post.findOne(…); post.save(…)`, `.then((post) => post.destroy())`), or on `this` in the
// model's own methods and statics. Any other method gives nothing: `transaction()`, `knex`, `extend()` touch no table, and a
// project static (`User.getOwnerUser()`) is read where it is written, through its own `this.findOne(…)`.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { isFunctionLike } from './functions.ts';
import { methodBodyOf, type BookshelfModel, type BookshelfModels } from './bookshelf-models.ts';
import type { LoadedFile } from './project.ts';
import { objectOption } from './orm-values.ts';
import { laterAssigned, unwrap } from './value-key.ts';

/** bookshelf's own fetches, and the statics Ghost's base model adds (findOne, findAll, findPage, getFilteredCollection) */
export const BOOKSHELF_READ = new Set(['fetch', 'fetchAll', 'fetchOne', 'fetchPage', 'count', 'findOne', 'findAll', 'findPage', 'getFilteredCollection']);
/** bookshelf's `save` / `destroy`, Ghost's CRUD and bulk statics, and knex's `del` / `insert` / `update` after a bare `query()` */
export const BOOKSHELF_WRITE = new Set(['save', 'destroy', 'add', 'edit', 'insert', 'update', 'upsert', 'bulkAdd', 'bulkEdit', 'bulkDestroy', 'del']);
/** methods that hand back the model, an instance or its query, so the chain still stands for the model's table */
const CHAIN = new Set(['forge', 'where', 'query', 'orderBy', 'clone', 'resetQuery']);
const MAX_DEPTH = 8;

/** calls that hand back an instance (or a collection) of the model they are made on: what a variable or a `.then` holds */
const INSTANCE_RESULT = new Set(['fetch', 'fetchOne', 'fetchAll', 'findOne', 'findAll', 'add', 'edit', 'save']);
/** a collection's (and its `.models` array's) methods whose callback gets one instance first */
const ITERATION = new Set(['map', 'forEach', 'filter', 'find', 'each', 'some', 'every', 'flatMap']);

function chainModel(models: BookshelfModels, expr: ts.Expression, checker: ts.TypeChecker, depth = 0): BookshelfModel | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const e = unwrap(expr);
  if (e.kind === ts.SyntaxKind.ThisKeyword) {
    const body = methodBodyOf(e);
    return body && models.modelOfBody(body);
  }
  if (ts.isNewExpression(e)) return models.modelOf(e.expression);
  if (ts.isCallExpression(e)) {
    const callee = unwrap(e.expression);
    if (!ts.isPropertyAccessExpression(callee)) return models.modelOf(e);
    if (CHAIN.has(callee.name.text)) return chainModel(models, callee.expression, checker, depth + 1);
    // `post.related('tags')`: the related model's rows
    const [relation] = e.arguments;
    if (callee.name.text === 'related' && relation && ts.isStringLiteralLike(relation)) {
      const from = chainModel(models, callee.expression, checker, depth + 1);
      return from && models.relatedModel(from, relation.text);
    }
    return models.modelOf(e);
  }
  if (ts.isIdentifier(e)) {
    const held = heldInstance(models, e, checker, depth);
    if (held) return held;
  }
  return models.modelOf(e);
}

/**
 * A local holding a model's instance, within one function: `const post = Post.forge({ id })`, `const post = await
 * models.Post.findOne({ id })`, `let tag; tag = await Tag.findOne(…)`, or the first parameter of a `.then` callback on
 * such a call (`models.Post.findOne({ id }).then((post) => post.destroy())`).
 */
function heldInstance(models: BookshelfModels, id: ts.Identifier, checker: ts.TypeChecker, depth: number): BookshelfModel | undefined {
  const decl = checker.getSymbolAtLocation(id)?.valueDeclaration;
  if (!decl) return undefined;
  if (ts.isVariableDeclaration(decl)) {
    if (!insideFunction(decl)) return undefined; // a module-level variable may be assigned anywhere: not followed
    if (decl.initializer) return instanceOf(models, decl.initializer, checker, depth + 1);
    // `for (const tag of post.related('tags'))`, `for (const email of emails.models)`
    const loop = decl.parent.parent;
    if (ts.isForOfStatement(loop)) return elementOf(models, loop.expression, checker, depth + 1);
    return laterAssigned(checker, decl, (right) => instanceOf(models, right, checker, depth + 1));
  }
  if (ts.isParameter(decl)) {
    const fn = decl.parent;
    const call = fn.parent;
    if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters[0] !== decl || !ts.isCallExpression(call) || call.arguments[0] !== fn) return undefined;
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    if (callee.name.text === 'then') return instanceOf(models, callee.expression, checker, depth + 1);
    // `votes.models.map((vote) => vote.destroy())`, `tags.forEach((tag) => …)`
    return ITERATION.has(callee.name.text) ? elementOf(models, callee.expression, checker, depth + 1) : undefined;
  }
  return undefined;
}

/** The model of each element of a collection a model call handed back (or its `.models` array). */
function elementOf(models: BookshelfModels, expr: ts.Expression, checker: ts.TypeChecker, depth: number): BookshelfModel | undefined {
  let e = unwrap(expr);
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'models') e = unwrap(e.expression);
  return ts.isIdentifier(e) ? heldInstance(models, e, checker, depth) : instanceOf(models, e, checker, depth);
}

/** The model whose instance an expression gives: `new Post()`, a chain (`Post.forge()`), or a call that hands one back (`await Post.findOne()`). */
function instanceOf(models: BookshelfModels, expr: ts.Expression, checker: ts.TypeChecker, depth: number): BookshelfModel | undefined {
  const e = unwrap(expr);
  if (ts.isNewExpression(e)) return chainModel(models, e, checker, depth);
  if (!ts.isCallExpression(e)) return undefined;
  const callee = unwrap(e.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  if (CHAIN.has(callee.name.text) || callee.name.text === 'related') return chainModel(models, e, checker, depth);
  return INSTANCE_RESULT.has(callee.name.text) ? chainModel(models, callee.expression, checker, depth) : undefined;
}

function insideFunction(node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(p)) return true;
  return false;
}

/** A local const's value (`const opts = { withRelated: ['tags'] }`), else the expression itself. */
function localValue(expr: ts.Expression, checker: ts.TypeChecker): ts.Expression {
  const e = unwrap(expr);
  if (!ts.isIdentifier(e)) return e;
  const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
  return decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const ? unwrap(decl.initializer) : e;
}

/** `{ withRelated: ['tags', 'posts.tags'] }` (or one string) in the call's arguments, written in place or held in a const: the paths */
function withRelated(call: ts.CallExpression, checker: ts.TypeChecker): ts.StringLiteralLike[] {
  const paths: ts.StringLiteralLike[] = [];
  for (const arg of call.arguments) {
    const value = objectOption(localValue(arg, checker), 'withRelated');
    const v = value && localValue(value, checker);
    if (v && ts.isStringLiteralLike(v)) paths.push(v);
    else if (v && ts.isArrayLiteralExpression(v)) for (const e of v.elements) if (ts.isStringLiteralLike(e)) paths.push(e);
  }
  return paths;
}

export function scanBookshelf(file: LoadedFile, models: BookshelfModels, checker: ts.TypeChecker, out: AccessCollector): void {
  if (models.empty) return;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const access = BOOKSHELF_READ.has(method) ? 'read' : BOOKSHELF_WRITE.has(method) ? 'write' : undefined;
      const model = access && chainModel(models, node.expression.expression, checker);
      if (access && model?.table !== undefined) {
        out.access(file, node, model.table, access, 'bookshelf');
        for (const path of withRelated(node, checker)) {
          for (const table of models.relatedTables(model, path.text)) out.access(file, path, table, 'read', 'bookshelf');
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
}
