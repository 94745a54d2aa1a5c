// Bookshelf.js models (the ORM Ghost uses), and the table each stands for:
//   const db = bookshelf(knex)                       a bookshelf instance (`bookshelf` imported or required, `require('bookshelf')(knex)`)
//   const Post = db.Model.extend({ tableName }, s)   a model; also on a project base (`db.Model = db.Model.extend({…})`,
//                                                    `const Base = db.Model.extend({…}); Base.extend({ tableName })`)
//   db.model('Post', Post) / db.model('Post')        the registry: registers a model by name / fetches it
//   db.Collection.extend({ model: Post })            a collection: stands for its model's table
// A model without `tableName` (a base) has no table; one extending a model keeps its parent's. Models are keyed by
// their value (value-key.ts) and also known by their registered and variable names, for `models.Post` reached
// through an index the type checker cannot follow (`exports.Post = Post`, dependency injection).
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { isFunctionLike, lineOf } from './functions.ts';
import { guarded } from './guard.ts';
import { assignedKey, objectOption } from './orm-values.ts';
import { packageOf } from './package-values.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { fileOf } from './symbols.ts';
import type { Warning } from './types.ts';
import { laterAssigned, unwrap, valueKey } from './value-key.ts';

export interface BookshelfModel {
  name: string;
  /** undefined for a base model that declares no `tableName` */
  table?: string;
  /** relations declared in the model's body (and its bases'), by method name */
  relations?: Map<string, BookshelfRelation>;
}

/** `tags() { return this.belongsToMany('Tag', 'posts_tags') }`: the related model (a registered name or a value) and the junction */
export interface BookshelfRelation {
  target: string | ts.Expression;
  kind: string;
  through?: string;
}

const RELATION_KINDS = new Set(['hasOne', 'hasMany', 'belongsTo', 'belongsToMany', 'through']);

export interface BookshelfModels {
  /** The model a value is (`Post`, `models.Post`, `db.model('Post')`), when it is one. */
  modelOf(expr: ts.Expression): BookshelfModel | undefined;
  /** The model whose `extend()` object literal (instance methods or statics) a method is written in: its `this`. */
  modelOfBody(body: ts.ObjectLiteralExpression): BookshelfModel | undefined;
  /** The tables a `withRelated` path (`'tags'`, `'posts.tags'`) reads from a model: each related table and junction. */
  relatedTables(model: BookshelfModel, path: string): string[];
  /** The model a relation of a model's leads to (`post.related('tags')`: Tag), when it is known. */
  relatedModel(model: BookshelfModel, relation: string): BookshelfModel | undefined;
  /** The join table a `belongsToMany` relation of a model's goes through, when both tables are known. */
  junction(model: BookshelfModel, relation: string): string | undefined;
  /** no bookshelf instance in the project: nothing to read */
  empty: boolean;
}

const MAX_DEPTH = 8;
/** the bookshelf instance's own `Model`: the root every model extends */
const ROOT: BookshelfModel = { name: 'bookshelf.Model' };

function isBookshelfPackage(checker: ts.TypeChecker, callee: ts.Expression): boolean {
  const c = unwrap(callee);
  if (ts.isCallExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === 'require') {
    const [arg] = c.arguments;
    return !!arg && ts.isStringLiteralLike(arg) && arg.text === 'bookshelf';
  }
  // `bookshelf(knex)` on the package's value itself, not `db.plugin(…)` on an instance it made
  return ts.isIdentifier(c) && packageOf(checker, c) === 'bookshelf';
}

function propertyName(name: ts.PropertyName | undefined): string | undefined {
  return name && (ts.isIdentifier(name) || ts.isStringLiteralLike(name)) ? name.text : undefined;
}

export function collectBookshelfModels(project: LoadedProject, out: AccessCollector, warnings: Warning[]): BookshelfModels {
  const checker = project.checker;
  const instances = new Set<ts.Node>();
  const extendCalls = new Map<ts.Node, ts.CallExpression>(); // key of the value an `extend()` makes → the call
  const registrations: ts.CallExpression[] = [];
  const byKey = new Map<ts.Node, BookshelfModel | null>();
  const byName = new Map<string, BookshelfModel>();
  const bodies = new Map<ts.Node, BookshelfModel>();

  for (const file of project.files) {
    const text = file.source.text;
    const mayMake = text.includes('bookshelf');
    if (!mayMake && !text.includes('.extend(') && !text.includes('.model(')) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = unwrap(node.expression);
        if (mayMake && isBookshelfPackage(checker, callee)) instances.add(assignedKey(node));
        else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'extend' && node.arguments[0] && ts.isObjectLiteralExpression(unwrap(node.arguments[0]))) {
          extendCalls.set(assignedKey(node), node);
        } else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'model' && node.arguments.length === 2 && ts.isStringLiteralLike(node.arguments[0])) {
          registrations.push(node);
        }
      }
      ts.forEachChild(node, visit);
    };
    guarded(file, warnings, 'Bookshelf models', () => visit(file.source));
  }
  const empty = instances.size === 0;

  const isInstance = (expr: ts.Expression): boolean => {
    const key = valueKey(project, expr);
    return !!key && instances.has(key);
  };

  /** `db.model('Post', …)` / `db.model('Post')` on a bookshelf instance: the name */
  const registryName = (call: ts.CallExpression): string | undefined => {
    const callee = unwrap(call.expression);
    const [first] = call.arguments;
    return ts.isPropertyAccessExpression(callee) && callee.name.text === 'model' && first && ts.isStringLiteralLike(first) && isInstance(callee.expression)
      ? first.text
      : undefined;
  };

  const modelOfExpr = (expr: ts.Expression, depth: number): BookshelfModel | undefined => {
    if (depth > MAX_DEPTH) return undefined;
    const e = unwrap(expr);
    if (ts.isCallExpression(e)) {
      const key = assignedKey(e);
      if (extendCalls.get(key) === e) return modelOfKey(key, depth + 1);
      const name = registryName(e);
      if (name !== undefined) return e.arguments[1] ? modelOfExpr(e.arguments[1], depth + 1) : byName.get(name);
    }
    // the instance's own members: `db.Model` is the root; `db.Collection` is no model, whatever a model is named
    if (ts.isPropertyAccessExpression(e) && isInstance(e.expression)) return e.name.text === 'Model' ? ROOT : undefined;
    if (!(ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isCallExpression(e))) return undefined;
    const key = valueKey(project, e);
    // a member only a type declares (a JSDoc `@prop {Object} Post` of injected models, an interface member) says
    // nothing of its value: fall back on the name below
    if (key && !ts.isJSDocPropertyLikeTag(key) && !ts.isPropertySignature(key)) return modelOfKey(key, depth + 1);
    // `models.Post` through an index or an injected `models` object the checker cannot follow: the model's name.
    // A member that resolves to a project value (`cache.Post = { findOne() {} }`) was answered above.
    return ts.isPropertyAccessExpression(e) ? byName.get(e.name.text) : undefined;
  };

  const modelOfKey = (key: ts.Node, depth: number): BookshelfModel | undefined => {
    const known = byKey.get(key);
    if (known !== undefined) return known ?? undefined;
    byKey.set(key, null); // a value defined through itself reads as nothing
    const model = computeKey(key, depth);
    byKey.set(key, model ?? null);
    return model;
  };

  const computeKey = (key: ts.Node, depth: number): BookshelfModel | undefined => {
    const call = extendCalls.get(key);
    if (call) return modelOfExtend(call, key, depth);
    if (instances.has(key)) return undefined;
    if ((ts.isVariableDeclaration(key) || ts.isPropertyAssignment(key)) && key.initializer) return modelOfExpr(key.initializer, depth);
    // `let Post; Post = db.Model.extend({…})` (Ghost's post.js): the first assignment that makes a model
    if (ts.isVariableDeclaration(key)) return laterAssigned(checker, key, (right) => modelOfExpr(right, depth));
    // `const { Post } = require('./models')`: the name it is exported under
    if (ts.isBindingElement(key) && ts.isObjectBindingPattern(key.parent)) {
      const name = propertyName(key.propertyName) ?? (ts.isIdentifier(key.name) ? key.name.text : undefined);
      return name !== undefined ? byName.get(name) : undefined;
    }
    // `this._Member = Member` in a constructor (Ghost's repositories, given their models): the checker's declaration of
    // a JavaScript class's property is the assignment
    if (ts.isBinaryExpression(key) && key.operatorToken.kind === ts.SyntaxKind.EqualsToken) return modelOfExpr(key.right, depth);
    // `exports.Post = Post`
    const parent = key.parent;
    if (ts.isPropertyAccessExpression(key) && parent && ts.isBinaryExpression(parent) && parent.left === key && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      return modelOfExpr(parent.right, depth);
    }
    if (ts.isCallExpression(key)) return modelOfExpr(key, depth); // `module.exports = db.model('Member', …)`
    return undefined;
  };

  const modelOfExtend = (call: ts.CallExpression, key: ts.Node, depth: number): BookshelfModel | undefined => {
    const [proto, statics] = call.arguments;
    const baseExpr = unwrap((unwrap(call.expression) as ts.PropertyAccessExpression).expression);
    if (ts.isPropertyAccessExpression(baseExpr) && baseExpr.name.text === 'Collection' && isInstance(baseExpr.expression)) {
      // `db.Collection.extend({ model: Post })`: a collection fetches and saves its model's rows
      const model = objectOption(proto, 'model');
      return model && modelOfExpr(model, depth + 1);
    }
    const base = modelOfExpr(baseExpr, depth + 1);
    if (!base) return undefined; // Backbone.Model.extend, a class's extend: not bookshelf
    const given = objectOption(proto, 'tableName');
    const table = given ? stringValue(given, checker) : base.table;
    const register = call.parent && ts.isCallExpression(call.parent) ? registryName(call.parent) : undefined;
    const assigned = call.parent && ts.isBinaryExpression(call.parent) && call.parent.right === call && ts.isIdentifier(call.parent.left) ? call.parent.left.text : undefined;
    const declared = ts.isVariableDeclaration(key) && ts.isIdentifier(key.name) ? key.name.text : assigned;
    const name = register ?? declared ?? table ?? base.name;
    const relations = new Map(base.relations);
    for (const [relation, r] of relationsIn(proto, checker)) relations.set(relation, r);
    const model: BookshelfModel = { name, table, relations };
    for (const body of [proto, statics]) {
      const o = body && unwrap(body);
      if (o && ts.isObjectLiteralExpression(o)) bodies.set(o, model);
    }
    if (table !== undefined && given) {
      const file = fileOf(project, call);
      if (file) out.declare({ table, file: file.rel, line: lineOf(call, file.source), via: 'bookshelf', model: name });
    }
    if (table !== undefined && declared !== undefined && !byName.has(declared)) byName.set(declared, model);
    return model;
  };

  if (!empty) {
    for (const [key] of extendCalls) modelOfKey(key, 0);
    for (const call of registrations) {
      const name = registryName(call);
      const model = name !== undefined ? modelOfExpr(call.arguments[1], 0) : undefined;
      if (name !== undefined && model?.table !== undefined) byName.set(name, model);
    }
  }

  const targetOf = (r: BookshelfRelation): BookshelfModel | undefined => (typeof r.target === 'string' ? byName.get(r.target) : modelOfExpr(r.target, 0));
  // bookshelf's default junction: the two table names in alphabetical order, joined by `_`
  const junctionOf = (r: BookshelfRelation, from: string, to: string): string | undefined =>
    r.kind === 'belongsToMany' ? r.through ?? [from, to].sort().join('_') : undefined;

  return {
    empty,
    modelOf: (expr) => {
      const m = empty ? undefined : modelOfExpr(expr, 0);
      return m === ROOT ? undefined : m;
    },
    modelOfBody: (body) => bodies.get(body),
    relatedTables: (model, path) => {
      const tables: string[] = [];
      let from: BookshelfModel | undefined = model;
      for (const segment of path.split('.')) {
        const r: BookshelfRelation | undefined = from?.relations?.get(segment);
        const target: BookshelfModel | undefined = r && targetOf(r);
        if (!r || !target?.table || !from?.table) break;
        tables.push(target.table);
        const junction = junctionOf(r, from.table, target.table);
        if (junction !== undefined) tables.push(junction);
        from = target;
      }
      return tables;
    },
    relatedModel: (model, relation) => {
      const r = model.relations?.get(relation);
      const target = r && targetOf(r);
      return target?.table !== undefined ? target : undefined;
    },
    junction: (model, relation) => {
      const r = model.relations?.get(relation);
      const target = r && targetOf(r);
      return r && model.table !== undefined && target?.table !== undefined ? junctionOf(r, model.table, target.table) : undefined;
    },
  };
}

/** The relation methods of a model's body: a method whose body calls `this.hasMany(…)`, `this.belongsToMany(…)`… */
function relationsIn(proto: ts.Expression | undefined, checker: ts.TypeChecker): Map<string, BookshelfRelation> {
  const found = new Map<string, BookshelfRelation>();
  const o = proto && unwrap(proto);
  if (!o || !ts.isObjectLiteralExpression(o)) return found;
  for (const p of o.properties) {
    const fn = ts.isMethodDeclaration(p) ? p : ts.isPropertyAssignment(p) && ts.isFunctionExpression(p.initializer) ? p.initializer : undefined;
    const name = propertyName(p.name);
    if (!fn?.body || name === undefined) continue;
    let relation: BookshelfRelation | undefined;
    const visit = (n: ts.Node): void => {
      if (relation) return;
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.expression.kind === ts.SyntaxKind.ThisKeyword &&
        RELATION_KINDS.has(n.expression.name.text) && n.arguments[0] && n.expression.name.text !== 'through') {
        const [target, second] = n.arguments;
        const kind = n.expression.name.text;
        const targetName = ts.isStringLiteralLike(target) ? target.text : undefined;
        const through = kind === 'belongsToMany' && second ? stringValue(second, checker) : undefined;
        relation = { target: targetName ?? target, kind, through };
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(fn.body);
    if (relation) found.set(name, relation);
  }
  return found;
}

/** `this` in a method of an `extend()` object literal: the object literal, when `this` is that method's own. */
export function methodBodyOf(node: ts.Node): ts.ObjectLiteralExpression | undefined {
  let fn: ts.Node | undefined = node.parent;
  while (fn && !(isFunctionLike(fn) && !ts.isArrowFunction(fn))) fn = fn.parent;
  if (!fn) return undefined;
  const holder = ts.isMethodDeclaration(fn) ? fn.parent : ts.isFunctionExpression(fn) && ts.isPropertyAssignment(fn.parent) ? fn.parent.parent : undefined;
  return holder && ts.isObjectLiteralExpression(holder) ? holder : undefined;
}
