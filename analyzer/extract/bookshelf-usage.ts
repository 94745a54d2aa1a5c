// Which code reads and writes the tables of Bookshelf models (bookshelf-models.ts): a call of a method named below on
// a model (`Post`, `models.Post`, `db.model('Post')`), on `Post.forge(…)` / `new Post(…)`, at the end of a
// `where(…)` / `query(…)` / `orderBy(…)` chain, on a variable holding one of these, or on `this` in the model's own
// methods and statics. Any other method gives nothing: `transaction()`, `knex`, `extend()` touch no table, and a
// project static (`User.getOwnerUser()`) is read where it is written, through its own `this.findOne(…)`.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { methodBodyOf, type BookshelfModel, type BookshelfModels } from './bookshelf-models.ts';
import type { LoadedFile } from './project.ts';
import { objectOption } from './orm-values.ts';
import { unwrap } from './value-key.ts';

/** bookshelf's own fetches, and the statics Ghost's base model adds (findOne, findAll, findPage, getFilteredCollection) */
export const BOOKSHELF_READ = new Set(['fetch', 'fetchAll', 'fetchOne', 'fetchPage', 'count', 'findOne', 'findAll', 'findPage', 'getFilteredCollection']);
/** bookshelf's `save` / `destroy`, Ghost's CRUD and bulk statics, and knex's `del` / `insert` / `update` after a bare `query()` */
export const BOOKSHELF_WRITE = new Set(['save', 'destroy', 'add', 'edit', 'insert', 'update', 'upsert', 'bulkAdd', 'bulkEdit', 'bulkDestroy', 'del']);
/** methods that hand back the model, an instance or its query, so the chain still stands for the model's table */
const CHAIN = new Set(['forge', 'where', 'query', 'orderBy', 'clone', 'resetQuery']);
const MAX_DEPTH = 8;

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
    return ts.isPropertyAccessExpression(callee) && CHAIN.has(callee.name.text) ? chainModel(models, callee.expression, checker, depth + 1) : models.modelOf(e);
  }
  if (ts.isIdentifier(e)) {
    // `const post = Post.forge({ id }); post.fetch()`
    const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
    const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
    if (init && (ts.isNewExpression(init) || (ts.isCallExpression(init) && ts.isPropertyAccessExpression(unwrap(init.expression)) && CHAIN.has((unwrap(init.expression) as ts.PropertyAccessExpression).name.text)))) {
      return chainModel(models, init, checker, depth + 1);
    }
  }
  return models.modelOf(e);
}

/** `{ withRelated: ['tags', 'posts.tags'] }` (or one string) written in place in the call's arguments: the paths */
function withRelated(call: ts.CallExpression): ts.StringLiteralLike[] {
  const paths: ts.StringLiteralLike[] = [];
  for (const arg of call.arguments) {
    const value = objectOption(arg, 'withRelated');
    const v = value && unwrap(value);
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
        for (const path of withRelated(node)) {
          for (const table of models.relatedTables(model, path.text)) out.access(file, path, table, 'read', 'bookshelf');
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
}
