// knex query builders: knex('books').where(...), db('books').insert(...), ctx.app.db('books').first(), knex.from('books'),
// knex.select().table('books'), .join('authors', ...), knex.schema.createTable('books', ...) (its foreign keys: knex-foreign-keys.ts).
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { lineOf } from './functions.ts';
import { scanKnexForeignKeys } from './knex-foreign-keys.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { unwrap, valueKey } from './value-key.ts';

const KNEX_METHODS = new Set([
  'select', 'where', 'andWhere', 'orWhere', 'whereIn', 'whereNot', 'whereNull', 'whereNotNull', 'whereBetween', 'whereRaw', 'first',
  'insert', 'update', 'del', 'delete', 'truncate', 'upsert', 'increment', 'decrement', 'returning', 'onConflict', 'merge', 'ignore',
  'join', 'leftJoin', 'rightJoin', 'innerJoin', 'leftOuterJoin', 'rightOuterJoin', 'fullOuterJoin', 'crossJoin',
  'orderBy', 'groupBy', 'having', 'limit', 'offset', 'count', 'countDistinct', 'min', 'max', 'sum', 'avg', 'pluck', 'distinct',
  'column', 'columns', 'modify', 'clone', 'forUpdate', 'as', 'clearSelect', 'then',
]);
const WRITE_METHODS = new Set(['insert', 'update', 'del', 'delete', 'truncate', 'upsert', 'increment', 'decrement', 'merge', 'onConflict']);
const TABLE_METHODS = new Set(['from', 'table', 'into']);
const JOIN_METHOD = /^(?:join|leftJoin|rightJoin|innerJoin|leftOuterJoin|rightOuterJoin|fullOuterJoin|crossJoin)$/;
const SCHEMA_METHODS = new Set(['createTable', 'createTableIfNotExists', 'alterTable', 'dropTable', 'dropTableIfExists', 'table']);
const KNEXISH_NAME = /^(?:knex|db|trx|tx|k|qb|database|conn|connection|pg|mysql)$/i;
const TABLE_NAME = /^[A-Za-z_][\w.]*(?:\s+as\s+\w+)?$/i;

interface ChainCall {
  name: string;
  args: readonly ts.Expression[];
  node: ts.CallExpression;
}

/** Is `id` a knex instance? By where it comes from, or by a conventional name. */
function isKnexIdentifier(project: LoadedProject, id: ts.Identifier): boolean {
  if (KNEXISH_NAME.test(id.text)) return true;
  const decl = valueKey(project, id);
  if (decl && ts.isVariableDeclaration(decl) && decl.initializer) return /\bknex\b/i.test(decl.initializer.getText());
  return false;
}

function tableName(arg: ts.Expression | undefined, checker: ts.TypeChecker): string | undefined {
  if (!arg) return undefined;
  const v = stringValue(arg, checker);
  if (v === undefined || !TABLE_NAME.test(v)) return undefined;
  return v.split(/\s+as\s+/i)[0].split('.').pop();
}

/** `isMongoClient`: a MongoDB client's `await client.db('shop')` names a database, not a knex table. */
export function scanKnex(project: LoadedProject, file: LoadedFile, out: AccessCollector, isMongoClient?: (receiver: ts.Expression) => boolean): void {
  const checker = project.checker;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && !isChainContinued(node)) handleChain(node);
    ts.forEachChild(node, visit);
  };

  const handleChain = (outer: ts.CallExpression): void => {
    const calls: ChainCall[] = [];
    let cur: ts.Expression = outer;
    let root: ts.Expression | undefined;
    let rootCall: ts.CallExpression | undefined;
    while (ts.isCallExpression(cur)) {
      const callee = unwrap(cur.expression);
      // ctx.app.db('books'), this.knex('books'), fastify.knex('books'): a knex instance held by a property
      if (ts.isPropertyAccessExpression(callee) && KNEXISH_NAME.test(callee.name.text) && cur.arguments.length === 1 && !ts.isCallExpression(unwrap(callee.expression))) {
        rootCall = cur;
        break;
      }
      if (ts.isPropertyAccessExpression(callee)) {
        calls.unshift({ name: callee.name.text, args: cur.arguments, node: cur });
        cur = unwrap(callee.expression);
      } else {
        if (ts.isIdentifier(callee)) rootCall = cur;
        break;
      }
    }
    if (!rootCall) root = cur;

    if (rootCall) {
      // knex('books')..., ctx.app.db('books')...
      const callee = unwrap(rootCall.expression);
      if (rootCall.arguments.length !== 1) return;
      const table = tableName(rootCall.arguments[0], checker);
      if (!table) return;
      const first = calls[0]?.name;
      const awaited = calls.length === 0 && ts.isAwaitExpression(rootCall.parent);
      if (!(first !== undefined && KNEX_METHODS.has(first)) && !awaited) return;
      // a property is taken by its name alone (matched above); an identifier by where it comes from, or its name
      if (ts.isIdentifier(callee) && !isKnexIdentifier(project, callee)) return;
      if (ts.isPropertyAccessExpression(callee) && isMongoClient?.(callee.expression)) return;
      record(table, calls, rootCall);
      return;
    }
    if (!root || calls.length === 0) return;
    const base = ts.isPropertyAccessExpression(root) ? root.expression : root;
    if (!ts.isIdentifier(base) || !isKnexIdentifier(project, base)) return;
    if (ts.isPropertyAccessExpression(root) && root.name.text === 'schema') {
      for (const c of calls) {
        const t = SCHEMA_METHODS.has(c.name) ? tableName(c.args[0], checker) : undefined;
        if (t) out.declare({ table: t, file: file.rel, line: lineOf(c.node, file.source), via: 'sql' });
        if (t) scanKnexForeignKeys(project, file, c.name, t, c.node, out);
      }
      return;
    }
    const tableCall = calls.find((c) => TABLE_METHODS.has(c.name));
    const table = tableCall && tableName(tableCall.args[0], checker);
    if (table) record(table, calls, tableCall.node);
  };

  const record = (table: string, calls: ChainCall[], at: ts.Node): void => {
    const write = calls.some((c) => WRITE_METHODS.has(c.name));
    out.access(file, at, table, write ? 'write' : 'read', 'knex');
    for (const c of calls) {
      if (!JOIN_METHOD.test(c.name)) continue;
      const joined = tableName(c.args[0], checker);
      if (joined) out.access(file, c.node, joined, 'read', 'knex');
    }
  };

  visit(file.source);
}

/** True when this call is the receiver of a further `.method()` call (not the end of its chain). */
function isChainContinued(call: ts.CallExpression): boolean {
  let p: ts.Node = call.parent;
  while (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p)) p = p.parent;
  return ts.isPropertyAccessExpression(p) && ts.isCallExpression(p.parent) && p.parent.expression === p;
}
