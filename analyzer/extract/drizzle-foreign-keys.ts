// Foreign keys of Drizzle tables: a column's `.references(() => authors.id, { onDelete: 'cascade' })` and the extra
// config's `foreignKey({ columns: [t.a], foreignColumns: [other.x] }).onDelete('cascade')` (`[t.id]` on the config's
// own parameter: a self-reference). Columns are named by their builder (`integer('author_id')`), else by their key.
// Only the tables' own definitions are read, in files that mention keys.
import path from 'node:path';
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { drizzleTableOf, type DrizzleTable, type DrizzleTables } from './drizzle-tables.ts';
import { lineOf } from './functions.ts';
import { guarded } from './guard.ts';
import { calleeName, objectOption } from './orm-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import type { Warning } from './types.ts';
import { unwrap } from './value-key.ts';

/** `() => x`, `(t) => ({ … })`, `function () { return x }`: what a function returns; else the expression itself. */
function returned(expr: ts.Expression | undefined): ts.Expression | undefined {
  const e = expr && unwrap(expr);
  if (!e || !(ts.isArrowFunction(e) || ts.isFunctionExpression(e))) return e;
  if (!ts.isBlock(e.body)) return unwrap(e.body);
  const ret = e.body.statements.find(ts.isReturnStatement);
  return ret?.expression && unwrap(ret.expression);
}

/** `a().b().c()` from its outer call: the calls, innermost first. */
function chainOf(outer: ts.Expression): ts.CallExpression[] {
  const calls: ts.CallExpression[] = [];
  let cur = unwrap(outer);
  while (ts.isCallExpression(cur)) {
    calls.unshift(cur);
    const callee = unwrap(cur.expression);
    if (!ts.isPropertyAccessExpression(callee)) break;
    cur = unwrap(callee.expression);
  }
  return calls;
}

function memberName(e: ts.Expression): string | undefined {
  const u = unwrap(e);
  return ts.isPropertyAccessExpression(u) ? u.name.text : undefined;
}

export function recordDrizzleForeignKeys(project: LoadedProject, tables: DrizzleTables, out: AccessCollector, warnings: Warning[]): void {
  const checker = project.checker;
  const definitions = new Map<DrizzleTable, ts.CallExpression>();
  for (const t of tables.byKey.values()) {
    const init = ts.isVariableDeclaration(t.key) && t.key.initializer ? unwrap(t.key.initializer) : undefined;
    if (init && ts.isCallExpression(init)) definitions.set(t, init);
  }
  const columnsCache = new Map<DrizzleTable, Map<string, { column: string; value: ts.Expression }>>();
  /** a table's columns: key → SQL name and the builder chain */
  const columnsOf = (t: DrizzleTable): Map<string, { column: string; value: ts.Expression }> => {
    let columns = columnsCache.get(t);
    if (columns) return columns;
    columns = new Map();
    columnsCache.set(t, columns);
    const obj = returned(definitions.get(t)?.arguments[1]);
    for (const p of obj && ts.isObjectLiteralExpression(obj) ? obj.properties : []) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
      const builder = chainOf(p.initializer)[0];
      const named = builder?.arguments[0] && stringValue(builder.arguments[0], checker);
      columns.set(p.name.text, { column: named ?? p.name.text, value: p.initializer });
    }
    return columns;
  };
  /** `authors.id` → the table and its column's SQL name; `t.id` on `self`, the extra config's own-table parameter, → that table */
  const columnAt = (expr: ts.Expression | undefined, self?: { symbol: ts.Symbol; table: DrizzleTable }): { table: DrizzleTable; column: string } | undefined => {
    const e = expr && unwrap(expr);
    if (!e || !ts.isPropertyAccessExpression(e)) return undefined;
    const own = self && ts.isIdentifier(e.expression) && checker.getSymbolAtLocation(e.expression) === self.symbol;
    const table = own ? self.table : drizzleTableOf(project, tables, e.expression);
    return table && { table, column: columnsOf(table).get(e.name.text)?.column ?? e.name.text };
  };
  const action = (e: ts.Expression | undefined): string | undefined => (e ? stringValue(e, checker)?.toLowerCase() : undefined);

  const keysOf = (t: DrizzleTable, call: ts.CallExpression, file: LoadedFile): void => {
    for (const [, { column, value }] of columnsOf(t)) {
      const references = chainOf(value).find((c) => calleeName(c) === 'references');
      const target = references && columnAt(returned(references.arguments[0]));
      if (!references || !target) continue;
      const onDelete = action(objectOption(references.arguments[1], 'onDelete'));
      out.foreignKey({ table: t.table, columns: [column], references: target.table.table, referencedColumns: [target.column], ...(onDelete ? { onDelete } : {}), file: file.rel, line: lineOf(value, file.source), via: 'drizzle' });
    }
    const extra = call.arguments[2];
    if (!extra) return;
    // `(t) => [foreignKey({ columns: [t.parentId], foreignColumns: [t.id] })]`: Drizzle's way to a self-reference
    const fn = unwrap(extra);
    const param = (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parameters[0] && ts.isIdentifier(fn.parameters[0].name) ? fn.parameters[0].name : undefined;
    const symbol = param && checker.getSymbolAtLocation(param);
    const self = symbol ? { symbol, table: t } : undefined;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && calleeName(node) === 'foreignKey' && ts.isIdentifier(unwrap(node.expression))) {
        const config = node.arguments[0];
        const list = (name: string): ts.Expression[] => {
          const a = objectOption(config, name);
          return a && ts.isArrayLiteralExpression(unwrap(a)) ? [...(unwrap(a) as ts.ArrayLiteralExpression).elements] : [];
        };
        const own = columnsOf(t);
        const columns = list('columns').map((c) => own.get(memberName(c) ?? '')?.column ?? memberName(c) ?? '');
        const foreign = list('foreignColumns').map((c) => columnAt(c, self));
        const target = foreign[0]?.table;
        if (target && columns.length > 0 && !columns.includes('') && foreign.every((f) => f?.table === target)) {
          // foreignKey({…}).onUpdate(…).onDelete('cascade')
          let onDelete: string | undefined;
          for (let p: ts.Node = node; ts.isPropertyAccessExpression(p.parent) && ts.isCallExpression(p.parent.parent); p = p.parent.parent) {
            if (p.parent.name.text === 'onDelete') onDelete = action(p.parent.parent.arguments[0]);
          }
          out.foreignKey({ table: t.table, columns, references: target.table, referencedColumns: foreign.map((f) => f!.column), ...(onDelete ? { onDelete } : {}), file: file.rel, line: lineOf(node, file.source), via: 'drizzle' });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(extra);
  };

  for (const [t, call] of definitions) {
    const source = call.getSourceFile();
    if (!/\.references\s*\(|\bforeignKey\s*\(/.test(source.text)) continue;
    const file = project.byAbs.get(path.normalize(source.fileName));
    if (file) guarded(file, warnings, 'Drizzle foreign keys', () => keysOf(t, call, file));
  }
}
