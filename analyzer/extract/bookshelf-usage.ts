// Which code reads and writes the tables of Bookshelf models (bookshelf-models.ts): a call of a method named below on
// a model (`Post`, `models.Post`, `db.model('Post')`), on `Post.forge(…)` / `new Post(…)`, at the end of a
// `where(…)` / `query(…)` / `orderBy(…)` chain, on a local holding one of these or an instance a model call handed back
// (`const post = await models.Post.findOne(…); post.save(…)`, `.then((post) => post.destroy())`; also through helpers,
// project functions and classes given their model: bookshelf-instances.ts), or on `this` in the model's own methods
// and statics. Any other method gives nothing: `transaction()`, `knex`, `extend()` touch no table, and a
// project static (`User.getOwnerUser()`) is read where it is written, through its own `this.findOne(…)`. A method run
// through `call`/`apply` (`ghostBookshelf.Model.edit.call(this, …)`) counts on the model its `this` argument is, and
// knex's `delete()` after a bare `query()` is a write, as `del()` is.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import type { BookshelfValues } from './bookshelf-instances.ts';
import type { BookshelfModels } from './bookshelf-models.ts';
import { isFunctionLike } from './functions.ts';
import type { LoadedFile } from './project.ts';
import { objectOption } from './orm-values.ts';
import { unwrap } from './value-key.ts';

/** bookshelf's own fetches, and the statics Ghost's base model adds (findOne, findAll, findPage, getFilteredCollection) */
export const BOOKSHELF_READ = new Set(['fetch', 'fetchAll', 'fetchOne', 'fetchPage', 'count', 'findOne', 'findAll', 'findPage', 'getFilteredCollection']);
/** bookshelf's `save` / `destroy`, Ghost's CRUD and bulk statics, and knex's `del` / `insert` / `update` after a bare `query()` */
export const BOOKSHELF_WRITE = new Set(['save', 'destroy', 'add', 'edit', 'insert', 'update', 'upsert', 'bulkAdd', 'bulkEdit', 'bulkDestroy', 'del']);
/** a belongsToMany relation's methods that link and unlink rows: they write its join table alone */
const PIVOT_WRITE = new Set(['attach', 'detach', 'updatePivot']);

/** A local const's value (`const opts = { withRelated: ['tags'] }`), else the expression itself. */
function localValue(expr: ts.Expression, checker: ts.TypeChecker): ts.Expression {
  const e = unwrap(expr);
  if (!ts.isIdentifier(e)) return e;
  const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
  return decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const ? unwrap(decl.initializer) : e;
}

/** how many const arrays spread into one another (`[...BASE, 'tags']`) are followed */
const MAX_SPREADS = 4;

/**
 * `{ withRelated: ['tags', 'posts.tags'] }` (or one string) in the call's arguments, written in place or held in a
 * const, the arrays it spreads (`[...BASE, 'tags']`) too: the paths
 */
function withRelated(call: ts.CallExpression, checker: ts.TypeChecker): ts.StringLiteralLike[] {
  const paths: ts.StringLiteralLike[] = [];
  const add = (v: ts.Expression, spreads: number): void => {
    if (ts.isStringLiteralLike(v)) paths.push(v);
    else if (ts.isArrayLiteralExpression(v)) {
      for (const e of v.elements) {
        if (ts.isStringLiteralLike(e)) paths.push(e);
        else if (ts.isSpreadElement(e) && spreads < MAX_SPREADS) add(localValue(e.expression, checker), spreads + 1);
      }
    }
  };
  for (const arg of call.arguments) {
    const value = objectOption(localValue(arg, checker), 'withRelated');
    if (value) add(localValue(value, checker), 0);
  }
  return paths;
}

/** `Model.query().where(…)`: a chain through a bare `query()`, which hands out knex's builder (where `delete()` is `del()`). */
function afterBareQuery(receiver: ts.Expression): boolean {
  for (let e = unwrap(receiver); ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression); e = unwrap(e.expression.expression)) {
    if (e.expression.name.text === 'query') return e.arguments.length === 0;
  }
  return false;
}

function enclosingFunction(node: ts.Node): ts.Node | undefined {
  let p = node.parent;
  while (p && !isFunctionLike(p)) p = p.parent;
  return p;
}

export function scanBookshelf(file: LoadedFile, models: BookshelfModels, values: BookshelfValues, checker: ts.TypeChecker, out: AccessCollector): void {
  if (models.empty) return;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      let method = node.expression.name.text;
      let receiver: ts.Expression = node.expression.expression;
      // `ghostBookshelf.Model.edit.call(this, data, options)`: the method run on the model its first argument is
      const through = method === 'call' || method === 'apply' ? unwrap(receiver) : undefined;
      if (through && ts.isPropertyAccessExpression(through) && node.arguments.length > 0 && !ts.isSpreadElement(node.arguments[0])) {
        method = through.name.text;
        receiver = node.arguments[0];
      }
      const pivot = PIVOT_WRITE.has(method) ? values.junctionOf(receiver) : undefined;
      if (pivot !== undefined) out.access(file, node, pivot, 'write', 'bookshelf');
      const access = BOOKSHELF_READ.has(method) ? 'read' : BOOKSHELF_WRITE.has(method) || (method === 'delete' && afterBareQuery(receiver)) ? 'write' : undefined;
      const model = access && values.modelOf(receiver);
      if (access && model?.table !== undefined) {
        out.access(file, node, model.table, access, 'bookshelf');
        // `post.related('tags').fetch()`: bookshelf joins the relation's junction to read the tags
        const junction = access === 'read' ? values.junctionOf(receiver) : undefined;
        if (junction !== undefined) out.access(file, node, junction, 'read', 'bookshelf');
        for (const path of withRelated(node, checker)) {
          // a path written in a const outside the calling function (`withRelated: POST_RELATIONS`) is read by the call
          const at = path.getSourceFile() === file.source && enclosingFunction(path) === enclosingFunction(node) ? path : node;
          for (const table of models.relatedTables(model, path.text)) out.access(file, at, table, 'read', 'bookshelf');
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
}
