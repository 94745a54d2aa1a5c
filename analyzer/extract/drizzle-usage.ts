// Which code reads and writes Drizzle tables: query builders (`db.select().from(books)`, joins,
// `db.insert(books)`, `db.update(books)`, `db.delete(books)`, `db.$count(books)`) and the relational
// API (`db.query.books.findMany({ with: { author: true } })`, which also reads the related tables).
// A table is recognised by its value: the argument must resolve, through the type checker, to a
// table declaration (drizzle-tables.ts), so `list.select().from(x)` or `Array.from(books)` are not reads.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { drizzleTableOf, type DrizzleTable, type DrizzleTables } from './drizzle-tables.ts';
import { objectOption } from './orm-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { unwrap } from './value-key.ts';

const JOIN = /^(?:leftJoin|rightJoin|innerJoin|fullJoin|crossJoin)(?:Lateral)?$/;
/** the calls a `.from()` / join belongs to: a select, or an `update … from` (Postgres) */
const QUERY_START = /^(?:select|selectDistinct|selectDistinctOn|update)$/;
const WRITE = new Set(['insert', 'update', 'delete']);
const RELATIONAL_READ = new Set(['findMany', 'findFirst']);
/** values that have their own `delete(x)`: a table kept in one of these is not being deleted from */
const COLLECTIONS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Array', 'ReadonlyArray']);
const MAX_DEPTH = 4;

export function scanDrizzle(project: LoadedProject, file: LoadedFile, tables: DrizzleTables, out: AccessCollector): void {
  if (tables.byKey.size === 0) return;
  const checker = project.checker;
  const tableOf = (expr: ts.Expression | undefined): DrizzleTable | undefined => (expr ? drizzleTableOf(project, tables, expr) : undefined);

  /** Does the chain under `expr` (`db.select({…})`, `tx.selectDistinct()`) start a query? */
  const startsQuery = (expr: ts.Expression): boolean => {
    let cur = unwrap(expr);
    for (let i = 0; i < 16; i++) {
      if (ts.isCallExpression(cur)) {
        const callee = unwrap(cur.expression);
        if (ts.isPropertyAccessExpression(callee) && QUERY_START.test(callee.name.text)) return true;
        cur = unwrap(callee);
      } else if (ts.isPropertyAccessExpression(cur)) {
        cur = unwrap(cur.expression);
      } else return false;
    }
    return false;
  };

  const isCollection = (receiver: ts.Expression): boolean => {
    const name = checker.getTypeAtLocation(receiver).getSymbol()?.name;
    return name !== undefined && COLLECTIONS.has(name);
  };

  /** with: { author: true, reviews: { with: { user: true } } } */
  const related = (table: DrizzleTable, withOption: ts.Expression | undefined, at: ts.Node, depth = 0): void => {
    const w = withOption && unwrap(withOption);
    if (!w || !ts.isObjectLiteralExpression(w) || depth > MAX_DEPTH) return;
    for (const p of w.properties) {
      if (!(ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
      if (ts.isPropertyAssignment(p) && unwrap(p.initializer).kind === ts.SyntaxKind.FalseKeyword) continue;
      const target = tables.relations.get(table.key)?.get(p.name.text);
      if (!target) continue;
      out.access(file, at, target.table, 'read', 'drizzle');
      if (ts.isPropertyAssignment(p)) related(target, objectOption(p.initializer, 'with'), at, depth + 1);
    }
  };

  const checkCall = (call: ts.CallExpression, method: string, receiver: ts.Expression): void => {
    if (method === 'from' || JOIN.test(method)) {
      const table = startsQuery(receiver) ? tableOf(call.arguments[0]) : undefined;
      if (table) out.access(file, call, table.table, 'read', 'drizzle');
    } else if (WRITE.has(method)) {
      const table = tableOf(call.arguments[0]);
      if (table && !isCollection(receiver)) out.access(file, call, table.table, 'write', 'drizzle');
    } else if (method === '$count') {
      const table = tableOf(call.arguments[0]);
      if (table) out.access(file, call, table.table, 'read', 'drizzle');
    } else if (RELATIONAL_READ.has(method) && ts.isPropertyAccessExpression(receiver)) {
      // db.query.books.findMany(…)
      const query = unwrap(receiver.expression);
      const table = ts.isPropertyAccessExpression(query) && query.name.text === 'query' ? tables.byQueryKey.get(receiver.name.text) : undefined;
      if (!table) return;
      out.access(file, call, table.table, 'read', 'drizzle');
      related(table, objectOption(call.arguments[0], 'with'), call);
    }
  };

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(callee)) checkCall(node, callee.name.text, unwrap(callee.expression));
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
}
