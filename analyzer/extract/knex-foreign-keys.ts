// Foreign keys in knex migrations: inside `knex.schema.createTable('orders', (table) => …)` (alterTable, table),
// `table.integer('book_id').references('id').inTable('books').onDelete('CASCADE')`, `.references('books.id')`,
// `table.foreign('book_id').references('books.id')` and `table.foreign(['a', 'b']).references(['x', 'y']).inTable('t')`.
// Only chains on the callback's own table builder count, and those in a project function the callback passes it to:
// `fk(table, 'author_id', 'authors')` over `function fk(t, col, to) { t.integer(col).references('id').inTable(to) }`,
// or a helper returning a chain the caller goes on with; the helper's parameters stand for the strings the call gives them
// (a default for one left out); one given a value made at run time gives no key. A helper passing its builder on to
// another helper is followed too, up to MAX_HELPER_DEPTH helpers deep (a helper calling itself stops there).
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { lineOf } from './functions.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { namedFunction } from './symbols.ts';
import { unwrap } from './value-key.ts';

/** The schema builder methods whose callback builds a table's columns. */
const BUILDS_TABLE = new Set(['createTable', 'createTableIfNotExists', 'alterTable', 'table']);

/** How many helpers deep a builder is followed: key helpers built on key helpers rarely nest further. */
const MAX_HELPER_DEPTH = 3;

/** Where a chain is read: the table builder's symbol, and a helper's parameters bound to the strings its call gave them. */
interface Scope {
  builder: ts.Symbol;
  params: Map<ts.Symbol, string[]>;
  /** 0 in the callback, 1 in a helper it calls, 2 in a helper that one calls, … up to MAX_HELPER_DEPTH */
  depth: number;
}

interface Link {
  name: string;
  args: readonly ts.Expression[];
  scope: Scope;
}

/** `createTable(name, (table) => …)`: the keys the callback declares on `table`, itself or through a project helper it passes `table` to. */
export function scanKnexForeignKeys(project: LoadedProject, file: LoadedFile, method: string, table: string, call: ts.CallExpression, out: AccessCollector): void {
  if (!BUILDS_TABLE.has(method)) return;
  const fn = call.arguments[1] && unwrap(call.arguments[1]);
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return;
  const param = fn.parameters[0]?.name;
  if (!param || !ts.isIdentifier(param)) return;
  const checker = project.checker;
  const builder = checker.getSymbolAtLocation(param);
  if (!builder) return;
  const symbolOf = (e: ts.Expression): ts.Symbol | undefined => (ts.isIdentifier(e) ? checker.getSymbolAtLocation(e) : undefined);
  const strings = (arg: ts.Expression | undefined, scope: Scope): string[] => {
    if (!arg) return [];
    const e = unwrap(arg);
    if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((el) => strings(el, scope));
    const symbol = scope.depth > 0 ? symbolOf(e) : undefined;
    if (symbol && scope.params.has(symbol)) return scope.params.get(symbol)!;
    const v = stringValue(e, checker);
    return v === undefined ? [] : [v];
  };

  /** a call given the builder (`fk(t, …)`, `keys.fk(t, …)`): a helper's, never a link of the builder's own chain */
  const passesBuilder = (call: ts.CallExpression, scope: Scope): boolean => call.arguments.some((a) => symbolOf(unwrap(a)) === scope.builder);

  /** `root.a(…).b(…)`: the links in order, and the root (a helper call given the builder is a root) */
  const linksOf = (outer: ts.Expression, scope: Scope): { links: Link[]; root: ts.Expression } => {
    const links: Link[] = [];
    let cur: ts.Expression = unwrap(outer);
    while (ts.isCallExpression(cur) && ts.isPropertyAccessExpression(unwrap(cur.expression)) && !passesBuilder(cur, scope)) {
      const callee = unwrap(cur.expression) as ts.PropertyAccessExpression;
      links.unshift({ name: callee.name.text, args: cur.arguments, scope });
      cur = unwrap(callee.expression);
    }
    return { links, root: cur };
  };

  /** `fk(table, 'author_id', 'authors')`: the project function called with the builder, its builder parameter and the strings its other parameters get. */
  const helperCall = (call: ts.CallExpression, scope: Scope): { fn: ts.SignatureDeclaration & { body?: ts.Node }; scope: Scope } | undefined => {
    if (scope.depth >= MAX_HELPER_DEPTH) return undefined;
    const at = call.arguments.findIndex((a) => symbolOf(unwrap(a)) === scope.builder);
    if (at < 0) return undefined;
    const helper = namedFunction(project, unwrap(call.expression)) as (ts.SignatureDeclaration & { body?: ts.Node }) | undefined;
    const name = helper?.parameters[at]?.name;
    const inner = name && ts.isIdentifier(name) ? checker.getSymbolAtLocation(name) : undefined;
    if (!helper?.body || !inner) return undefined;
    const params = new Map<ts.Symbol, string[]>();
    helper.parameters.forEach((p, i) => {
      const symbol = i !== at && ts.isIdentifier(p.name) ? checker.getSymbolAtLocation(p.name) : undefined;
      // an argument made at run time binds nothing, so no key is read through it; one left out takes the default
      const given = p.dotDotDotToken ? [] : strings(call.arguments[i] ?? p.initializer, scope);
      if (symbol) params.set(symbol, given);
    });
    return { fn: helper, scope: { builder: inner, params, depth: scope.depth + 1 } };
  };

  /** the chain a helper returns: its expression body, or its one `return` */
  const returned = (fn: ts.SignatureDeclaration & { body?: ts.Node }): ts.Expression | undefined => {
    if (fn.body && !ts.isBlock(fn.body)) return fn.body as ts.Expression;
    const returns: ts.ReturnStatement[] = [];
    const find = (n: ts.Node): void => {
      if (ts.isReturnStatement(n)) returns.push(n);
      else if (!ts.isFunctionLike(n)) ts.forEachChild(n, find);
    };
    if (fn.body) ts.forEachChild(fn.body, find);
    return returns.length === 1 ? returns[0].expression : undefined;
  };

  /** `at`: where the key is recorded, the callback's own call (a helper's keys are on the line that calls it) */
  const chain = (outer: ts.CallExpression, scope: Scope, at: ts.Node): void => {
    const { links, root } = linksOf(outer, scope);
    if (ts.isIdentifier(root) && checker.getSymbolAtLocation(root) === scope.builder) {
      key(links, at);
      return;
    }
    const helper = ts.isCallExpression(root) ? helperCall(root, scope) : undefined;
    if (!helper) return;
    if (links.length === 0) {
      // `fk(table, 'author_id', 'authors');`: the keys the helper declares on its builder
      visit(helper.fn.body!, helper.scope, at);
      return;
    }
    // `fk(table, 'author_id').references('id').inTable('authors')`: the helper returns a chain on its builder, the caller goes on
    const start = returnedChain(helper.fn, helper.scope);
    if (start) key([...start, ...links], at);
  };

  /** the links of the chain on its builder a helper returns, itself or through a helper it returns the chain of */
  const returnedChain = (fn: ts.SignatureDeclaration & { body?: ts.Node }, scope: Scope): Link[] | undefined => {
    const inner = returned(fn);
    if (!inner || !ts.isCallExpression(unwrap(inner))) return undefined;
    const { links, root } = linksOf(inner, scope);
    if (ts.isIdentifier(root) && checker.getSymbolAtLocation(root) === scope.builder) return links;
    const helper = ts.isCallExpression(root) ? helperCall(root, scope) : undefined;
    const start = helper && returnedChain(helper.fn, helper.scope);
    return start && [...start, ...links];
  };

  const key = (links: Link[], at: ts.Node): void => {
    const refs = links.findIndex((l) => l.name === 'references');
    if (refs < 1) return;
    const columns = strings(links[0].args[0], links[0].scope);
    let referencedColumns = strings(links[refs].args[0], links[refs].scope);
    const inTable = links.find((l) => l.name === 'inTable' || l.name === 'on');
    let references = inTable && strings(inTable.args[0], inTable.scope)[0]?.split('.').pop();
    if (!references) {
      // 'books.id' / 'catalog.books.id': the table before the column (a schema before that dropped)
      const qualified = referencedColumns.map((c) => c.split('.'));
      if (qualified.length === 0 || qualified.some((parts) => parts.length < 2)) return;
      references = qualified[0][qualified[0].length - 2];
      referencedColumns = qualified.map((parts) => parts[parts.length - 1]);
    }
    if (columns.length === 0) return;
    const onDelete = links.find((l) => l.name === 'onDelete');
    const action = onDelete && strings(onDelete.args[0], onDelete.scope)[0]?.toLowerCase();
    out.foreignKey({ table, columns, references, referencedColumns, ...(action ? { onDelete: action } : {}), file: file.rel, line: lineOf(at, file.source), via: 'knex' });
  };

  /** `at`: undefined in the callback itself, where each chain is its own place */
  const visit = (node: ts.Node, scope: Scope, at?: ts.Node): void => {
    if (ts.isCallExpression(node) && !continued(node)) chain(node, scope, at ?? node);
    ts.forEachChild(node, (child) => visit(child, scope, at));
  };
  visit(fn.body, { builder, params: new Map(), depth: 0 });
}

function continued(call: ts.CallExpression): boolean {
  let p: ts.Node = call.parent;
  while (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p)) p = p.parent;
  return ts.isPropertyAccessExpression(p) && ts.isCallExpression(p.parent) && p.parent.expression === p;
}
