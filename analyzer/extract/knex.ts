// knex query builders: knex('books').where(...), db('books').insert(...), ctx.app.db('books').first(), knex.from('books'),
// knex.select().table('books'), .join('authors', ...), knex.schema.createTable('books', ...) (its foreign keys: knex-foreign-keys.ts).
// A query helper building on a table its caller names (`findById(table, id)` over `knex(table).where(…)`) is read at
// each call, up to MAX_HELPERS helpers up (a helper passing the table on to another), and the access is the caller's,
// as a Redis key a helper receives is (redis.ts). A table a class keeps from its constructor (`this.knex(this.collection)`)
// is read at each construction, as the methods the constructing code calls on the instance make it (instance-uses.ts).
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { wholeParameter, type CallSites, type ClassUses } from './call-sites.ts';
import { isFunctionLike, lineOf } from './functions.ts';
import { runsOn, type MembersRun } from './instance-uses.ts';
import { scanKnexForeignKeys } from './knex-foreign-keys.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { fileOf } from './symbols.ts';
import { keptParameter, thisMember } from './this-members.ts';
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
const CTE_METHOD = /^with(?:Recursive|Materialized|NotMaterialized)?$/;
const SCHEMA_METHODS = new Set(['createTable', 'createTableIfNotExists', 'alterTable', 'dropTable', 'dropTableIfExists', 'table']);
const KNEXISH_NAME = /^(?:knex|db|trx|tx|k|qb|database|conn|connection|pg|mysql)$/i;
const TABLE_NAME = /^[A-Za-z_][\w.]*(?:\s+as\s+\w+)?$/i;
/** how many helpers up a table parameter is followed to the callers (`getCached(t)` → `getOne(t)` → `findById(t)` → `knex(t)`) */
const MAX_HELPERS = 3;

/** Where a table named by an argument is accessed: the argument's own place, or a caller's call of the helper. */
interface TablePlace {
  table: string;
  file: LoadedFile;
  at: ts.Node;
  /** a read there, whatever the chain does (the queries an instance runs where its knex is handed on) */
  read?: true;
}

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
export function scanKnex(
  project: LoadedProject, file: LoadedFile, out: AccessCollector, callers: CallSites,
  { classes, membersRun }: { classes: ClassUses; membersRun: MembersRun },
  isMongoClient?: (receiver: ts.Expression) => boolean,
): void {
  const checker = project.checker;

  /** the tables `arg` names: its string here, or the strings the callers give the helper parameter it is */
  const placesOf = (arg: ts.Expression | undefined, where: LoadedFile, at: ts.Node, helpers: number): TablePlace[] => {
    if (!arg) return [];
    const table = tableName(arg, checker);
    if (table) return [{ table, file: where, at }];
    const param = helpers < MAX_HELPERS ? wholeParameter(arg, checker) : undefined;
    if (!param) return helpers < MAX_HELPERS ? keptPlaces(arg, helpers) : [];
    const index = param.parent.parameters.indexOf(param);
    return callers(param.parent).flatMap((site) => placesOf(site.call.arguments[index] ?? param.initializer, site.file, site.callee, helpers + 1));
  };

  /**
   * `this.collection` a class keeps from its constructor: the tables its constructions give, each the access of the
   * constructing code, on the construction's line. `new C('t')`'s function has the chain's access where the chain's
   * method runs on the instance it makes (instance-uses.ts), a read where the instance only hands its knex on (Directus's
   * runAst), none otherwise; `super('t')` in a subclass's constructor makes the instance that constructor is building,
   * which goes wherever `new Sub()` takes it: that constructor has every access.
   */
  const keptPlaces = (arg: ts.Expression, helpers: number): TablePlace[] => {
    const e = unwrap(arg);
    const kept = ts.isPropertyAccessExpression(e) ? keptParameter(e, classes, checker) : undefined;
    if (!kept) return [];
    const member = thisMember(e);
    return classes.constructionSites(kept.cls).flatMap((site) => {
      const where = fileOf(project, site);
      const given = site.arguments?.[kept.index];
      if (!where || !given) return [];
      if (!ts.isNewExpression(site)) return placesOf(given, where, site, helpers + 1);
      const run = membersRun(site);
      if (runsOn(member, run)) return placesOf(given, where, site.expression, helpers + 1);
      return run && [...run].some(handsKnexOn) ? placesOf(given, where, site.expression, helpers + 1).map((p) => ({ ...p, read: true })) : [];
    });
  };

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
      const first = calls[0]?.name;
      const awaited = calls.length === 0 && ts.isAwaitExpression(rootCall.parent);
      const handedBack = calls.length === 0 && !awaited ? returningFunction(rootCall) : undefined;
      if (!(first !== undefined && KNEX_METHODS.has(first)) && !awaited && !handedBack) return;
      // a property is taken by its name alone (matched above); an identifier by where it comes from, or its name
      if (ts.isIdentifier(callee) && !isKnexIdentifier(project, callee)) return;
      if (ts.isPropertyAccessExpression(callee) && isMongoClient?.(callee.expression)) return;
      if (handedBack) return recordHandedBack(handedBack, rootCall.arguments[0]);
      record(placesOf(rootCall.arguments[0], file, rootCall, 0), calls);
      return;
    }
    if (!root || calls.length === 0) return;
    const base = ts.isPropertyAccessExpression(root) ? root.expression : root;
    // this.knex.select(…).from('users'): a knex instance the class keeps, taken by its name as ctx.app.db('books') is
    const kept = ts.isPropertyAccessExpression(root) && base.kind === ts.SyntaxKind.ThisKeyword && KNEXISH_NAME.test(root.name.text);
    if (!kept && (!ts.isIdentifier(base) || !isKnexIdentifier(project, base))) return;
    if (ts.isPropertyAccessExpression(root) && root.name.text === 'schema') {
      for (const c of calls) {
        const t = SCHEMA_METHODS.has(c.name) ? tableName(c.args[0], checker) : undefined;
        if (t) out.declare({ table: t, file: file.rel, line: lineOf(c.node, file.source), via: 'sql' });
        if (t) scanKnexForeignKeys(project, file, c.name, t, c.node, out);
      }
      return;
    }
    const tableCall = calls.find((c) => TABLE_METHODS.has(c.name));
    if (tableCall) record(placesOf(tableCall.args[0], file, tableCall.node, 0), calls);
  };

  const record = (places: TablePlace[], calls: ChainCall[], where = file): void => {
    if (places.length === 0) return;
    // `.with('recent', q)…from('recent')`: a common table expression's name, not a table (q's own chain names those)
    const ctes = calls.some((c) => CTE_METHOD.test(c.name)) ? new Set(calls.filter((c) => CTE_METHOD.test(c.name)).map((c) => tableName(c.args[0], checker))) : undefined;
    const write = calls.some((c) => WRITE_METHODS.has(c.name));
    for (const p of places) if (!ctes?.has(p.table)) out.access(p.file, p.at, p.table, write && !p.read ? 'write' : 'read', 'knex');
    for (const c of calls) {
      if (!JOIN_METHOD.test(c.name)) continue;
      for (const p of placesOf(c.args[0], where, c.node, 0)) if (!ctes?.has(p.table)) out.access(p.file, p.at, p.table, 'read', 'knex');
    }
  };

  /**
   * `q: function (t) { return knex(t); }` called as `db.q('users').select()`: at each call whose result is chained on as
   * a query, that chain on the table the call gives (or the one the helper names), the access the caller's.
   */
  const recordHandedBack = (fn: ts.SignatureDeclaration, table: ts.Expression | undefined): void => {
    if (!table) return;
    const param = wholeParameter(table, checker);
    const index = param && param.parent === fn ? fn.parameters.indexOf(param) : -1;
    for (const site of callers(fn)) {
      const chain = chainedOn(site.call);
      if (chain.length === 0 || !KNEX_METHODS.has(chain[0].name)) continue;
      const given = index >= 0 ? site.call.arguments[index] ?? param?.initializer : table;
      record(placesOf(given, site.file, site.callee, 1), chain, site.file);
    }
  };

  visit(file.source);
}

/**
 * Does a class member hand a knex instance the class keeps on (`runAst(ast, { knex: this.knex })`, `transaction(this.knex,
 * …)`)? Then it queries where the reader does not follow, on tables it cannot name there.
 */
function handsKnexOn(member: ts.Node): boolean {
  let known = handsOnMemo.get(member);
  if (known === undefined) {
    known = false;
    const visit = (n: ts.Node): void => {
      if (known || ts.isClassLike(n)) return;
      if (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword && KNEXISH_NAME.test(n.name.text) && handedOn(n)) known = true;
      else ts.forEachChild(n, visit);
    };
    ts.forEachChild(member, visit);
    handsOnMemo.set(member, known);
  }
  return known;
}
const handsOnMemo = new WeakMap<ts.Node, boolean>();

/** `f(x)`, `{ knex: x }`, through `x || y`, `x ?? y` and `c ? x : y`: a value given to other code. */
function handedOn(x: ts.Expression): boolean {
  let e: ts.Node = x;
  for (;;) {
    const p: ts.Node = e.parent;
    const passing = ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p) || ts.isAsExpression(p) || (ts.isConditionalExpression(p) && p.condition !== e) ||
      (ts.isBinaryExpression(p) && (p.operatorToken.kind === ts.SyntaxKind.BarBarToken || p.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken));
    if (!passing) return (ts.isCallExpression(p) || ts.isNewExpression(p)) ? p.expression !== e : ts.isPropertyAssignment(p) && p.initializer === e;
    e = p;
  }
}

/** The function whose result a call is: `return knex(t)`, or an arrow function's body. */
function returningFunction(call: ts.CallExpression): ts.SignatureDeclaration | undefined {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isArrowFunction(parent) && parent.body === node) return parent;
  if (!ts.isReturnStatement(parent)) return undefined;
  const fn = ts.findAncestor(parent, isFunctionLike);
  return fn && 'body' in fn && fn.body ? fn : undefined;
}

/** The method calls chained on a call's result, in order (`.where(…).del()` on `db.q('users')`). */
function chainedOn(call: ts.CallExpression): ChainCall[] {
  const out: ChainCall[] = [];
  let cur: ts.Expression = call;
  for (;;) {
    let p: ts.Node = cur.parent;
    while (p && (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p))) p = p.parent;
    if (!p || !ts.isPropertyAccessExpression(p) || !ts.isCallExpression(p.parent) || p.parent.expression !== p) return out;
    out.push({ name: p.name.text, args: p.parent.arguments, node: p.parent });
    cur = p.parent;
  }
}

/** True when this call is the receiver of a further `.method()` call (not the end of its chain). */
function isChainContinued(call: ts.CallExpression): boolean {
  let p: ts.Node = call.parent;
  while (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p)) p = p.parent;
  return ts.isPropertyAccessExpression(p) && ts.isCallExpression(p.parent) && p.parent.expression === p;
}
