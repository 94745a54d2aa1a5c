// Foreign keys in knex migrations: inside `knex.schema.createTable('orders', (table) => …)` (alterTable, table),
// `table.integer('book_id').references('id').inTable('books').onDelete('CASCADE')`, `.references('books.id')`,
// `table.foreign('book_id').references('books.id')` and `table.foreign(['a', 'b']).references(['x', 'y']).inTable('t')`.
// Only chains on the callback's own table builder count.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { lineOf } from './functions.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { unwrap } from './value-key.ts';

/** The schema builder methods whose callback builds a table's columns. */
const BUILDS_TABLE = new Set(['createTable', 'createTableIfNotExists', 'alterTable', 'table']);

interface Link {
  name: string;
  args: readonly ts.Expression[];
}

/** `createTable(name, (table) => …)`: the keys the callback declares on `table`. */
export function scanKnexForeignKeys(project: LoadedProject, file: LoadedFile, method: string, table: string, call: ts.CallExpression, out: AccessCollector): void {
  if (!BUILDS_TABLE.has(method)) return;
  const fn = call.arguments[1] && unwrap(call.arguments[1]);
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return;
  const param = fn.parameters[0]?.name;
  if (!param || !ts.isIdentifier(param)) return;
  const checker = project.checker;
  const builder = checker.getSymbolAtLocation(param);
  if (!builder) return;
  const strings = (arg: ts.Expression | undefined): string[] => {
    if (!arg) return [];
    const e = unwrap(arg);
    if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((el) => strings(el));
    const v = stringValue(e, checker);
    return v === undefined ? [] : [v];
  };

  const chain = (outer: ts.CallExpression): void => {
    const links: Link[] = [];
    let cur: ts.Expression = outer;
    while (ts.isCallExpression(cur) && ts.isPropertyAccessExpression(unwrap(cur.expression))) {
      const callee = unwrap(cur.expression) as ts.PropertyAccessExpression;
      links.unshift({ name: callee.name.text, args: cur.arguments });
      cur = unwrap(callee.expression);
    }
    if (!ts.isIdentifier(cur) || checker.getSymbolAtLocation(cur) !== builder) return;
    const refs = links.findIndex((l) => l.name === 'references');
    if (refs < 1) return;
    const columns = strings(links[0].args[0]);
    let referencedColumns = strings(links[refs].args[0]);
    const inTable = links.find((l) => l.name === 'inTable' || l.name === 'on');
    let references = inTable && strings(inTable.args[0])[0]?.split('.').pop();
    if (!references) {
      // 'books.id' / 'catalog.books.id': the table before the column (a schema before that dropped)
      const qualified = referencedColumns.map((c) => c.split('.'));
      if (qualified.length === 0 || qualified.some((parts) => parts.length < 2)) return;
      references = qualified[0][qualified[0].length - 2];
      referencedColumns = qualified.map((parts) => parts[parts.length - 1]);
    }
    if (columns.length === 0) return;
    const onDelete = links.find((l) => l.name === 'onDelete');
    const action = onDelete && strings(onDelete.args[0])[0]?.toLowerCase();
    out.foreignKey({ table, columns, references, referencedColumns, ...(action ? { onDelete: action } : {}), file: file.rel, line: lineOf(outer, file.source), via: 'knex' });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && !continued(node)) chain(node);
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
}

function continued(call: ts.CallExpression): boolean {
  let p: ts.Node = call.parent;
  while (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p)) p = p.parent;
  return ts.isPropertyAccessExpression(p) && ts.isCallExpression(p.parent) && p.parent.expression === p;
}
