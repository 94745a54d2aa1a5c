// Drizzle ORM tables: `export const books = pgTable('books', {…})` (mysqlTable, sqliteTable,
// singlestoreTable, `pgSchema('s').table(…)`, and tables made by `pgTableCreator((n) => \`app_${n}\`)`),
// the relations between them (`relations(books, ({ one, many }) => ({ author: one(authors, …) }))`)
// and the keys of the relational query API: `db.query.<key>` is the table's name in the schema object
// given to `drizzle(…, { schema })`, which is usually its const's name. Only files that mention
// drizzle-orm (or a table creator found in one) are read.
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { lineOf } from './functions.ts';
import { guarded } from './guard.ts';
import { assignedKey, calleeName, objectOption } from './orm-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import type { Warning } from './types.ts';
import { unwrap, valueKey } from './value-key.ts';

export interface DrizzleTable {
  /** the table's name in SQL */
  table: string;
  /** what the code calls it (the const) */
  name: string;
  key: ts.Node;
}

export interface DrizzleTables {
  byKey: Map<ts.Node, DrizzleTable>;
  /** `db.query.<key>` → table */
  byQueryKey: Map<string, DrizzleTable>;
  /** table key → relation name → related table */
  relations: Map<ts.Node, Map<string, DrizzleTable>>;
}

const TABLE_FACTORIES = new Set(['pgTable', 'mysqlTable', 'sqliteTable', 'singlestoreTable', 'gelTable']);
const TABLE_CREATORS = new Set(['pgTableCreator', 'mysqlTableCreator', 'sqliteTableCreator', 'singlestoreTableCreator', 'gelTableCreator']);
const SCHEMA_FACTORIES = new Set(['pgSchema', 'mysqlSchema', 'gelSchema']);

interface PendingRelation {
  table: ts.Expression;
  name: string;
  target: ts.Expression;
}

export function collectDrizzleTables(project: LoadedProject, out: AccessCollector, warnings: Warning[]): DrizzleTables {
  const tables: DrizzleTables = { byKey: new Map(), byQueryKey: new Map(), relations: new Map() };
  const checker = project.checker;
  const creators = new Map<ts.Node, (name: string) => string | undefined>();
  const relations: PendingRelation[] = [];
  const schemaObjects: ts.Expression[] = [];

  /** `f('x', {…})` calls that a table creator may have made, known once all creators are */
  const maybeCreated: { file: LoadedFile; call: ts.CallExpression }[] = [];

  /** What a call makes a table named: `pgTable('books')`, `catalog.table('books')`, `createTable('books')` (creators known). */
  const tableNameOf = (call: ts.CallExpression, creatorsKnown: boolean): string | undefined | null => {
    const name = calleeName(call);
    const callee = unwrap(call.expression);
    let naming: ((n: string) => string | undefined) | undefined;
    if (call.arguments.length < 2) return null;
    if (name !== undefined && TABLE_FACTORIES.has(name)) naming = (n) => n;
    else if (name === 'table' && ts.isPropertyAccessExpression(callee) && madeBy(project, callee.expression, SCHEMA_FACTORIES)) naming = (n) => n;
    else if (ts.isIdentifier(callee) && creatorsKnown) {
      const key = creators.size > 0 ? valueKey(project, callee) : undefined;
      naming = key && creators.get(key);
    }
    if (!naming) return null;
    const given = stringValue(call.arguments[0], checker);
    return given === undefined ? undefined : naming(given);
  };

  const declare = (file: LoadedFile, call: ts.CallExpression, creatorsKnown: boolean): void => {
    const table = tableNameOf(call, creatorsKnown);
    if (table === undefined) {
      warnings.push({ file: file.rel, message: `${file.rel}:${lineOf(call, file.source)}: Drizzle table name is computed at run time; its uses are not reported` });
    } else if (table !== null) {
      const key = assignedKey(call);
      const constName = ts.isVariableDeclaration(key) && ts.isIdentifier(key.name) ? key.name.text : table;
      tables.byKey.set(key, { table, name: constName, key });
      out.declare({ table, file: file.rel, line: lineOf(call, file.source), via: 'drizzle', model: constName });
    } else if (!creatorsKnown && ts.isIdentifier(call.expression)) {
      maybeCreated.push({ file, call });
    }
  };

  const visit = (file: LoadedFile, node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      if (name !== undefined && TABLE_CREATORS.has(name)) {
        creators.set(assignedKey(node), creatorNaming(node.arguments[0], checker));
      } else if (name === 'relations' && node.arguments.length === 2) {
        relationsOf(node, relations);
      } else if (name === 'drizzle') {
        for (const arg of node.arguments) {
          const schema = objectOption(arg, 'schema');
          if (schema) schemaObjects.push(schema);
        }
      } else {
        declare(file, node, false);
      }
    }
    ts.forEachChild(node, (child) => visit(file, child));
  };

  const drizzleFiles = new Set(project.files.filter((f) => f.source.text.includes('drizzle-orm')));
  for (const file of drizzleFiles) guarded(file, warnings, 'Drizzle tables', () => visit(file, file.source));
  // Tables made by a creator imported from another file (which need not mention drizzle-orm itself).
  const creatorNames = [...creators.keys()].flatMap((k) => (ts.isVariableDeclaration(k) && ts.isIdentifier(k.name) ? [k.name.text] : []));
  if (creatorNames.length > 0) {
    for (const file of project.files) {
      if (drizzleFiles.has(file) || !creatorNames.some((n) => file.source.text.includes(n))) continue;
      guarded(file, warnings, 'Drizzle tables', () => visit(file, file.source));
    }
    for (const { file, call } of maybeCreated) guarded(file, warnings, 'Drizzle tables', () => declare(file, call, true));
  }

  const tableOf = (expr: ts.Expression): DrizzleTable | undefined => drizzleTableOf(project, tables, expr);
  for (const r of relations) {
    const from = tableOf(r.table);
    const to = tableOf(r.target);
    if (!from || !to) continue;
    let byName = tables.relations.get(from.key);
    if (!byName) tables.relations.set(from.key, (byName = new Map()));
    byName.set(r.name, to);
  }
  for (const schema of schemaObjects) queryKeys(project, tables, schema, 0);
  for (const t of tables.byKey.values()) if (!tables.byQueryKey.has(t.name)) tables.byQueryKey.set(t.name, t);
  return tables;
}

/** The table a value is: a table const (imported, `schema.books`), or `alias(books, 'b')` of one. */
export function drizzleTableOf(project: LoadedProject, tables: DrizzleTables, expr: ts.Expression, depth = 0): DrizzleTable | undefined {
  const e = unwrap(expr);
  if (!(ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) || depth > 3) return undefined;
  const key = valueKey(project, e);
  if (!key) return undefined;
  const table = tables.byKey.get(key);
  if (table) return table;
  const init = ts.isVariableDeclaration(key) && key.initializer ? unwrap(key.initializer) : undefined;
  if (init && ts.isCallExpression(init) && calleeName(init) === 'alias' && init.arguments[0]) return drizzleTableOf(project, tables, init.arguments[0], depth + 1);
  return undefined;
}

/** `pgTableCreator((name) => \`app_${name}\`)` → name → 'app_' + name, when the body is that simple. */
function creatorNaming(fn: ts.Expression | undefined, checker: ts.TypeChecker): (name: string) => string | undefined {
  const f = fn && unwrap(fn);
  if (!f || !(ts.isArrowFunction(f) || ts.isFunctionExpression(f)) || f.parameters.length < 1 || !ts.isIdentifier(f.parameters[0].name)) return () => undefined;
  const param = f.parameters[0].name.text;
  let body: ts.Node | undefined = f.body;
  if (ts.isBlock(body)) body = body.statements.length === 1 && ts.isReturnStatement(body.statements[0]) ? body.statements[0].expression : undefined;
  const expr = body as ts.Expression | undefined;
  const evaluate = (e: ts.Expression, name: string): string | undefined => {
    const u = unwrap(e);
    if (ts.isIdentifier(u) && u.text === param) return name;
    if (ts.isTemplateExpression(u)) {
      let s = u.head.text;
      for (const span of u.templateSpans) {
        const v = evaluate(span.expression, name);
        if (v === undefined) return undefined;
        s += v + span.literal.text;
      }
      return s;
    }
    if (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const l = evaluate(u.left, name);
      const r = l === undefined ? undefined : evaluate(u.right, name);
      return r === undefined ? undefined : l! + r;
    }
    return stringValue(u, checker);
  };
  return (name) => (expr ? evaluate(expr, name) : undefined);
}

/** relations(books, ({ one, many }) => ({ author: one(authors, {…}), reviews: many(reviews) })) */
function relationsOf(call: ts.CallExpression, into: PendingRelation[]): void {
  const [table, fn] = call.arguments;
  const f = unwrap(fn);
  if (!ts.isArrowFunction(f) && !ts.isFunctionExpression(f)) return;
  let body: ts.Node | undefined = f.body;
  if (ts.isBlock(body)) body = body.statements.find(ts.isReturnStatement)?.expression;
  const obj = body && unwrap(body as ts.Expression);
  if (!obj || !ts.isObjectLiteralExpression(obj)) return;
  for (const p of obj.properties) {
    if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
    const value = unwrap(p.initializer);
    const helper = ts.isCallExpression(value) ? calleeName(value) : undefined;
    if ((helper === 'one' || helper === 'many') && (value as ts.CallExpression).arguments[0]) {
      into.push({ table, name: p.name.text, target: (value as ts.CallExpression).arguments[0] });
    }
  }
}

/** The keys of `drizzle(client, { schema })`: `import * as schema`, `{ books, authors }`, `{ ...schema, ...relations }`. */
function queryKeys(project: LoadedProject, tables: DrizzleTables, schema: ts.Expression, depth: number): void {
  if (depth > 3) return;
  const checker = project.checker;
  const e = unwrap(schema);
  if (ts.isObjectLiteralExpression(e)) {
    for (const p of e.properties) {
      if (ts.isSpreadAssignment(p)) queryKeys(project, tables, p.expression, depth + 1);
      else if (ts.isShorthandPropertyAssignment(p)) setKey(p.name.text, drizzleTableOf(project, tables, p.name));
      else if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) setKey(p.name.text, drizzleTableOf(project, tables, p.initializer));
    }
    return;
  }
  if (!ts.isIdentifier(e)) return;
  // `{ schema }`: the name of a shorthand property is the property, its value is the variable
  const symbol = ts.isShorthandPropertyAssignment(e.parent) ? checker.getShorthandAssignmentValueSymbol(e.parent) : checker.getSymbolAtLocation(e);
  const decl = symbol?.declarations?.[0];
  if (symbol && decl && ts.isNamespaceImport(decl)) {
    const module = checker.getAliasedSymbol(symbol);
    for (const exported of checker.getExportsOfModule(module)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const d = target.valueDeclaration;
      const table = d && tables.byKey.get(d);
      if (table) setKey(exported.name, table);
    }
    return;
  }
  const key = valueKey(project, e);
  if (key && ts.isVariableDeclaration(key) && key.initializer) queryKeys(project, tables, key.initializer, depth + 1);

  function setKey(name: string, table: DrizzleTable | undefined): void {
    if (table) tables.byQueryKey.set(name, table);
  }
}

/** Is `expr` (a const) made by one of `factories`: `const catalog = pgSchema('catalog')`? */
function madeBy(project: LoadedProject, expr: ts.Expression, factories: Set<string>): boolean {
  const e = unwrap(expr);
  if (ts.isCallExpression(e)) return factories.has(calleeName(e) ?? '');
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return false;
  const decl = valueKey(project, e);
  const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
  return !!init && ts.isCallExpression(init) && factories.has(calleeName(init) ?? '');
}
