// What a Prisma client call does through relation fields, read from its argument object as written (or
// held by a `const`): nested writes (`data: { posts: { create: … } }`) write the related table; `include`,
// `select`, `_count`, relation filters in `where` and `orderBy` by a relation read it. An implicit
// many-to-many relation goes through its join table as well. Values the code builds at run time are skipped.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { enclosingFunctionName, isFunctionLike } from './functions.ts';
import { objectLiteralOf, valueProperty } from './object-literal.ts';
import type { PrismaModel, PrismaRelation } from './prisma-schema.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { unwrap } from './value-key.ts';

/** nested operations that change the related rows themselves */
const ROW_WRITES = new Set(['create', 'createMany', 'connectOrCreate', 'upsert', 'update', 'updateMany', 'delete', 'deleteMany']);
/** nested operations that add or remove links: an implicit many-to-many's join rows (deleted rows lose theirs by cascade) */
const LINK_WRITES = new Set(['create', 'createMany', 'connectOrCreate', 'upsert', 'delete', 'deleteMany', 'connect', 'disconnect', 'set']);
/** nested operations that only change links */
const LINK_ONLY = new Set(['connect', 'disconnect', 'set']);
const FILTER_OPERATORS = new Set(['some', 'every', 'none', 'is', 'isNot']);
const LOGICAL = new Set(['AND', 'OR', 'NOT']);
/** object literals followed into one another (a `const` may name itself) */
const MAX_DEPTH = 24;

interface Walk {
  project: LoadedProject;
  file: LoadedFile;
  out: AccessCollector;
  /** the function id of the call: a `const` declared elsewhere is reported on the line that uses it */
  scope: string;
}

/** An object literal being read, and where its accesses are reported. */
interface Seen {
  obj: ts.ObjectLiteralExpression;
  /** the use of a `const` declared outside the call's function, else undefined (each property's own line) */
  at: ts.Node | undefined;
  depth: number;
}

type Entry = [name: string, value: ts.Expression, node: ts.Node];

/** `prisma.<model>.<method>(args)`: the relations that `args` writes and reads. */
export function scanPrismaArgs(project: LoadedProject, file: LoadedFile, call: ts.CallExpression, model: PrismaModel, method: string, out: AccessCollector): void {
  const w: Walk = { project, file, out, scope: enclosingFunctionName(call, file.source) };
  const args = literal(w, call.arguments[0], undefined, 0);
  if (!args) return;
  data(w, model, value(args, 'data'), args);
  if (method === 'upsert') {
    data(w, model, value(args, 'create'), args);
    data(w, model, value(args, 'update'), args);
  }
  filter(w, model, value(args, 'having'), args);
  relationArgs(w, model, args);
}

/** The fluent API, `prisma.user.findUnique(…).posts(args)`: a read of the related table. */
export function scanFluentRelation(project: LoadedProject, file: LoadedFile, call: ts.CallExpression, relation: PrismaRelation, out: AccessCollector): void {
  const w: Walk = { project, file, out, scope: enclosingFunctionName(call, file.source) };
  const name = ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call;
  read(w, relation, name);
  const args = literal(w, call.arguments[0], undefined, 0);
  if (args) relationArgs(w, relation.target, args);
}

/** `{ where, include, select, orderBy }`, as a query and a relation in `include`/`select` take them */
function relationArgs(w: Walk, model: PrismaModel, args: Seen): void {
  filter(w, model, value(args, 'where'), args);
  selection(w, model, value(args, 'include'), args);
  selection(w, model, value(args, 'select'), args);
  order(w, model, value(args, 'orderBy'), args);
}

/** `data: { posts: { create: …, connect: … } }`: each relation field's nested operations */
function data(w: Walk, model: PrismaModel, expr: ts.Expression | undefined, from: Seen): void {
  for (const item of items(expr)) {
    const seen = literal(w, item, from.at, from.depth);
    if (!seen) continue;
    for (const [name, v] of entries(seen.obj)) {
      const relation = model.relations.get(name);
      const ops = relation && literal(w, v, seen.at, seen.depth);
      if (relation && ops) nestedWrites(w, relation, ops);
    }
  }
}

function nestedWrites(w: Walk, relation: PrismaRelation, ops: Seen): void {
  const target = relation.target;
  for (const [op, v, node] of entries(ops.obj)) {
    const at = ops.at ?? node;
    if (ROW_WRITES.has(op)) w.out.access(w.file, at, target.table, 'write', 'prisma');
    if (relation.join && LINK_WRITES.has(op)) w.out.access(w.file, at, relation.join, 'write', 'prisma');
    if (LINK_ONLY.has(op)) {
      // the link is kept on the related rows: they are updated; else connect and set find the rows they link
      if (relation.link === 'target' || relation.link === 'both') w.out.access(w.file, at, target.table, 'write', 'prisma');
      else if (op !== 'disconnect') w.out.access(w.file, at, target.table, 'read', 'prisma');
    }
    for (const item of items(v)) {
      const seen = literal(w, item, ops.at, ops.depth);
      if (!seen) continue;
      switch (op) {
        case 'create':
          data(w, target, item, ops);
          break;
        case 'connectOrCreate':
          filter(w, target, value(seen, 'where'), seen);
          data(w, target, value(seen, 'create'), seen);
          break;
        case 'upsert':
          filter(w, target, value(seen, 'where'), seen);
          data(w, target, value(seen, 'create'), seen);
          data(w, target, value(seen, 'update'), seen);
          break;
        case 'update':
        case 'updateMany':
          // `{ where, data }`, or (a to-one update) the data itself
          if (value(seen, 'data')) {
            filter(w, target, value(seen, 'where'), seen);
            data(w, target, value(seen, 'data'), seen);
          } else data(w, target, item, ops);
          break;
        case 'delete':
        case 'deleteMany':
        case 'connect':
        case 'disconnect':
        case 'set':
          filter(w, target, item, ops);
          break;
      }
    }
  }
}

/** `where`: relation filters (`author: { name }`, `posts: { some: … }`), through AND/OR/NOT */
function filter(w: Walk, model: PrismaModel, expr: ts.Expression | undefined, from: Seen): void {
  for (const item of items(expr)) {
    const seen = literal(w, item, from.at, from.depth);
    if (!seen) continue;
    for (const [name, v, node] of entries(seen.obj)) {
      if (LOGICAL.has(name)) {
        filter(w, model, v, seen);
        continue;
      }
      const relation = model.relations.get(name);
      // `author: null` (no related row) and a filter built elsewhere say nothing certain
      const inner = relation && literal(w, v, seen.at, seen.depth);
      if (!relation || !inner) continue;
      read(w, relation, seen.at ?? node);
      const operators = entries(inner.obj).filter(([op]) => FILTER_OPERATORS.has(op));
      if (operators.length === 0) filter(w, relation.target, v, seen);
      for (const [, operand] of operators) filter(w, relation.target, operand, inner);
    }
  }
}

/** `include` / `select`: each relation field not set to `false`, and what it selects in turn */
function selection(w: Walk, model: PrismaModel, expr: ts.Expression | undefined, from: Seen): void {
  const seen = literal(w, expr, from.at, from.depth);
  if (!seen) return;
  for (const [name, v, node] of entries(seen.obj)) {
    const at = seen.at ?? node;
    if (name === '_count') {
      count(w, model, v, seen, at);
      continue;
    }
    const relation = model.relations.get(name);
    if (!relation || unwrap(v).kind === ts.SyntaxKind.FalseKeyword) continue;
    read(w, relation, at);
    const nested = literal(w, v, seen.at, seen.depth);
    if (nested) relationArgs(w, relation.target, nested);
  }
}

/** `_count: true` (every to-many relation) or `_count: { select: { posts: true | { where } } }` */
function count(w: Walk, model: PrismaModel, v: ts.Expression, from: Seen, at: ts.Node): void {
  if (unwrap(v).kind === ts.SyntaxKind.TrueKeyword) {
    for (const relation of model.relations.values()) if (relation.list) read(w, relation, at);
    return;
  }
  const options = literal(w, v, from.at, from.depth);
  const select = options && literal(w, value(options, 'select'), options.at, options.depth);
  if (!select) return;
  for (const [name, field, node] of entries(select.obj)) {
    const relation = model.relations.get(name);
    if (!relation || unwrap(field).kind === ts.SyntaxKind.FalseKeyword) continue;
    read(w, relation, select.at ?? node);
    const nested = literal(w, field, select.at, select.depth);
    if (nested) filter(w, relation.target, value(nested, 'where'), nested);
  }
}

/** `orderBy: { author: { name: 'asc' } }` / `[{ posts: { _count: 'desc' } }]` */
function order(w: Walk, model: PrismaModel, expr: ts.Expression | undefined, from: Seen): void {
  for (const item of items(expr)) {
    const seen = literal(w, item, from.at, from.depth);
    if (!seen) continue;
    for (const [name, v, node] of entries(seen.obj)) {
      const relation = model.relations.get(name);
      if (!relation || !literal(w, v, seen.at, seen.depth)) continue;
      read(w, relation, seen.at ?? node);
      order(w, relation.target, v, seen);
    }
  }
}

function read(w: Walk, relation: PrismaRelation, at: ts.Node): void {
  w.out.access(w.file, at, relation.target.table, 'read', 'prisma');
  if (relation.join) w.out.access(w.file, at, relation.join, 'read', 'prisma');
}

/** The object literal an expression is, written in place or held by a `const`. */
function literal(w: Walk, expr: ts.Expression | undefined, at: ts.Node | undefined, depth: number): Seen | undefined {
  if (!expr || depth > MAX_DEPTH) return undefined;
  const obj = objectLiteralOf(w.project, expr);
  if (!obj) return undefined;
  if (at || ts.isObjectLiteralExpression(unwrap(expr))) return { obj, at, depth: depth + 1 };
  const local = obj.getSourceFile() === w.file.source && enclosingFunctionName(obj, w.file.source) === w.scope;
  return { obj, at: local ? undefined : expr, depth: depth + 1 };
}

/** one value, each element of an array literal (`create: [{ … }, { … }]`), or what `ids.map((id) => ({ … }))` makes of each */
function items(expr: ts.Expression | undefined): ts.Expression[] {
  if (!expr) return [];
  const e = unwrap(expr);
  if (ts.isArrayLiteralExpression(e)) return e.elements.filter((el) => !ts.isSpreadElement(el) && !ts.isOmittedExpression(el));
  return mappedTo(e) ?? [expr];
}

/** `tags.map((name) => ({ create: { name }, where: { name } }))`: the values the callback returns */
function mappedTo(e: ts.Expression): ts.Expression[] | undefined {
  if (!ts.isCallExpression(e)) return undefined;
  const callee = unwrap(e.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'map') return undefined;
  const fn = e.arguments[0] && unwrap(e.arguments[0]);
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return undefined;
  if (!ts.isBlock(fn.body)) return [fn.body];
  const returned: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) returned.push(n.expression);
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  return returned;
}

function value(seen: Seen, name: string): ts.Expression | undefined {
  return valueProperty(seen.obj, name);
}

/** properties as written, `{ name: value }` and `{ name }` (spreads and methods left out) */
function entries(obj: ts.ObjectLiteralExpression): Entry[] {
  const out: Entry[] = [];
  for (const p of obj.properties) {
    if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
    if (ts.isPropertyAssignment(p)) out.push([p.name.text, p.initializer, p]);
    else if (ts.isShorthandPropertyAssignment(p)) out.push([p.name.text, p.name, p]);
  }
  return out;
}
