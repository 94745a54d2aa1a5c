// Where express-session keeps its sessions: the `store` option of each `session({...})` middleware, named as
// the resource the other readers would name it — connect-redis's key prefix (`redis:sess:`), connect-mongo's
// and connect-mongodb-session's collection, connect-pg-simple's, connect-session-sequelize's,
// express-mysql-session's and connect-sqlite3's table. No store is express-session's MemoryStore
// (`session:memory`), which no two processes can share; a store not recognised is `session:store`.
// cookie-session keeps its state in the cookie: nothing server-side, nothing to name. The same stores serve
// @fastify/session; koa-session and koa-generic-session name koa-redis's keys by their own `prefix`, and
// koa-session with no store (like @fastify/secure-session) keeps the session in the cookie.
import { ts } from 'ts-morph';
import { lineOf } from './functions.ts';
import { hasSpread, objectLiteralOf, valueProperty } from './object-literal.ts';
import { importSpecifierOf, packageOf } from './package-values.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { fileOf } from './symbols.ts';
import { assignedWithin, unwrap } from './value-key.ts';

export const MEMORY_STORE = 'session:memory';
export const UNKNOWN_STORE = 'session:store';

export interface SessionMiddleware {
  /** the session package that made it (express-session, koa-session, @fastify/session…) */
  package: string;
  /** the resource its sessions are kept in; null when they are kept in the cookie (koa-session with no store) */
  resource: string | null;
  file: string;
  line: number;
}

/** The packages whose middleware keeps a session, and how the options reach them. */
export const SESSION_PACKAGES = /express-session|koa-session|koa-generic-session|@fastify\/session|fastify-session/;

/** Fastify session plugins, given to `register(plugin, options)`. */
const FASTIFY_SESSION = new Set(['@fastify/session', 'fastify-session']);

/** koa-redis's default key prefix when koa-generic-session is given it (koa-generic-session's `prefix`). */
const KOA_GENERIC_PREFIX = 'koa:sess:';

/**
 * How each known store package names its resource from its options. `option(path)` is an option's static
 * value (`schema.tableName` one object down), `null` when it is not given, `undefined` when it is made at run
 * time; a store whose resource is made at run time is named by no guess (undefined).
 */
type Namer = (option: (path: string) => string | undefined | null) => string | undefined;

const STORES: Record<string, Namer> = {
  // connect-redis: `prefix`, default 'sess:' (all versions)
  'connect-redis': (option) => withDefault(option('prefix'), 'sess:', (p) => `redis:${p}`),
  // connect-mongo: v4+ `collectionName`, v3 and older `collection`; default 'sessions'
  'connect-mongo': (option) => withDefault(option('collectionName') ?? option('collection'), 'sessions'),
  // connect-mongodb-session: `collection`, default 'sessions'
  'connect-mongodb-session': (option) => withDefault(option('collection'), 'sessions'),
  // connect-pg-simple: `tableName` (default 'session'), in `schemaName` when given
  'connect-pg-simple': (option) => {
    const table = withDefault(option('tableName'), 'session');
    const schema = option('schemaName');
    return table === undefined || schema === undefined ? undefined : schema === null ? table : `${schema}.${table}`;
  },
  // connect-session-sequelize: a project model given as `table` is not followed; else `tableName`, default `modelKey`, default 'Session'
  'connect-session-sequelize': (option) => {
    if (option('table') !== null) return undefined;
    const model = withDefault(option('modelKey'), 'Session');
    return model === undefined ? undefined : withDefault(option('tableName'), model);
  },
  // express-mysql-session: `schema: { tableName }`, default 'sessions'
  'express-mysql-session': (option) => withDefault(option('schema.tableName'), 'sessions'),
  // connect-sqlite3: `table`, default 'sessions'
  'connect-sqlite3': (option) => withDefault(option('table'), 'sessions'),
  // memorystore: an in-process memory store, as express-session's own
  memorystore: () => MEMORY_STORE,
};

function withDefault(value: string | undefined | null, fallback: string, wrap: (v: string) => string = (v) => v): string | undefined {
  return value === undefined ? undefined : wrap(value ?? fallback);
}

/** Every express-session middleware the project makes, with the resource of its store. */
export function sessionMiddlewares(project: LoadedProject, seed: readonly { source: ts.SourceFile }[]): SessionMiddleware[] {
  const checker = project.checker;
  const out: SessionMiddleware[] = [];
  for (const file of seed) {
    const visit = (node: ts.Node): void => {
      const made = ts.isCallExpression(node) ? sessionCall(project, node) : undefined;
      if (made) {
        const where = fileOf(project, node);
        if (where) out.push({ ...made, file: where.rel, line: lineOf(node, where.source) });
      }
      ts.forEachChild(node, visit);
    };
    visit(file.source);
  }
  return out;
}

/**
 * A call that makes a session middleware, with its package and store:
 *   session(options)                    express-session; no store: its MemoryStore
 *   session(options?, app)              koa-session; no store: the session is the cookie
 *   session(options?)                   koa-generic-session; no store: its in-process MemoryStore
 *   fastify.register(plugin, options)   @fastify/session (fastify-session); no store: its MemoryStore
 * A store object is named as express-session's (connect-redis and connect-mongo serve @fastify/session as
 * they are), except koa-redis, whose keys are the ids koa-session or koa-generic-session make.
 */
function sessionCall(project: LoadedProject, call: ts.CallExpression): Omit<SessionMiddleware, 'file' | 'line'> | undefined {
  const checker = project.checker;
  const callee = unwrap(call.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'register' && call.arguments[0]) {
    const pkg = packageOfCallee(checker, call.arguments[0]);
    return pkg && FASTIFY_SESSION.has(pkg) ? { package: pkg, resource: storeResource(project, call.arguments[1], MEMORY_STORE) } : undefined;
  }
  const pkg = packageOfCallee(checker, call.expression);
  if (pkg === 'express-session') return { package: pkg, resource: storeResource(project, call.arguments[0], MEMORY_STORE) };
  if (pkg === 'koa-session') {
    // session(app), session(options, app) and session(app, options) (koa-session takes either order): its
    // prefix goes before the ids it makes (none by default)
    const options = call.arguments.find((a) => objectLiteralOf(project, a)) ?? (call.arguments.length > 1 ? call.arguments.find((a) => packageOf(checker, a) !== 'koa') : undefined);
    return { package: pkg, resource: storeResource(project, options, null, () => sessionOption(project, options, 'prefix', '')) };
  }
  if (pkg === 'koa-generic-session') {
    const options = call.arguments[0];
    return { package: pkg, resource: storeResource(project, options, MEMORY_STORE, () => sessionOption(project, options, 'prefix', KOA_GENERIC_PREFIX)) };
  }
  return undefined;
}

/** A string option of the session middleware itself, `fallback` when not given, undefined when made at run time. */
function sessionOption(project: LoadedProject, options: ts.Expression | undefined, name: string, fallback: string): string | undefined {
  if (!options) return fallback;
  const obj = objectLiteralOf(project, options);
  const v = obj && valueProperty(obj, name);
  if (!v) return obj && !hasSpread(obj) ? fallback : undefined;
  return stringValue(unwrap(v), project.checker);
}

/**
 * The resource named by a session middleware's `store` option: `none` when there is no store, and for
 * koa-redis `redis:` + the key prefix `koaPrefix` reads off the middleware's options.
 */
function storeResource(project: LoadedProject, arg: ts.Expression | undefined, none: string | null, koaPrefix?: () => string | undefined): string | null {
  const store = arg ? storeOption(project, arg, 0) : NO_STORE;
  if (store === NO_STORE) return none;
  if (store === UNKNOWN) return UNKNOWN_STORE;
  const made = storeExpression(project.checker, store, 0);
  if (!made) return UNKNOWN_STORE;
  // koa-redis (`redisStore({ client })`, `new RedisStore()`): it prefixes nothing itself
  if (koaPrefix && packageOfCallee(project.checker, made.expression) === 'koa-redis') {
    const prefix = koaPrefix();
    return prefix === undefined ? UNKNOWN_STORE : `redis:${prefix}`;
  }
  // `new session.MemoryStore()`: express-session's own
  if (ts.isNewExpression(made) && ts.isPropertyAccessExpression(unwrap(made.expression))) {
    const callee = unwrap(made.expression) as ts.PropertyAccessExpression;
    if (callee.name.text === 'MemoryStore' && packageOfCallee(project.checker, callee.expression) === 'express-session') return MEMORY_STORE;
  }
  // `new RedisStore(options)`, `MongoStore.create(options)`
  const ctor = ts.isCallExpression(made) && ts.isPropertyAccessExpression(unwrap(made.expression)) ? (unwrap(made.expression) as ts.PropertyAccessExpression).expression : made.expression;
  const pkg = packageOfCallee(project.checker, ctor);
  const namer = pkg && STORES[pkg];
  if (!namer) return UNKNOWN_STORE;
  const given = made.arguments?.[0];
  const storeOptions = given && objectLiteralOf(project, given);
  if (given && !storeOptions) return UNKNOWN_STORE;
  const option = (path: string): string | undefined | null => {
    let obj = storeOptions;
    const names = path.split('.');
    for (const [i, name] of names.entries()) {
      const v = obj && valueProperty(obj, name);
      if (!v) return obj && hasSpread(obj) ? undefined : null;
      if (i === names.length - 1) return stringValue(unwrap(v), project.checker);
      obj = objectLiteralOf(project, v);
      if (!obj) return undefined;
    }
    return null;
  };
  return namer(option) ?? UNKNOWN_STORE;
}

const NO_STORE = Symbol('no store');
const UNKNOWN = Symbol('unknown');

/**
 * The `store` a `session(options)` call is given: a property of the object written in place or held by a
 * constant (imported too), through spreads of such objects (`{ ...sessionOptions, name }`, the last one
 * wins), or assigned to the constant's `store` afterwards (`if (prod) sess.store = new RedisStore(…)`: the
 * store the deployed app runs with; two such assignments are not guessed between).
 */
function storeOption(project: LoadedProject, expr: ts.Expression, depth: number): ts.Expression | typeof NO_STORE | typeof UNKNOWN {
  const e = unwrap(expr);
  const options = ts.isObjectLiteralExpression(e) ? e : ts.isIdentifier(e) ? heldObject(project, e) : undefined;
  if (!options || depth > 3) return UNKNOWN;
  let store: ts.Expression | typeof NO_STORE | typeof UNKNOWN = NO_STORE;
  for (const p of options.properties) {
    if (ts.isSpreadAssignment(p)) {
      const spread = storeOption(project, p.expression, depth + 1);
      if (spread !== NO_STORE) store = spread;
    } else if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === 'store') {
      store = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : UNKNOWN;
    }
  }
  if (!ts.isIdentifier(e)) return store;
  const assigned = storeAssignments(project.checker, e);
  return assigned.length === 0 ? store : assigned.length === 1 ? assigned[0]! : UNKNOWN;
}

/** The object literal a constant holds, the constant declared here or imported from a project module. */
function heldObject(project: LoadedProject, id: ts.Identifier): ts.ObjectLiteralExpression | undefined {
  const decl = declarationOf(project.checker, id);
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return undefined;
  return objectLiteralOf(project, decl.initializer);
}

/** `sess.store = new RedisStore(…)` in the file that declares `sess`. */
function storeAssignments(checker: ts.TypeChecker, id: ts.Identifier): ts.Expression[] {
  const decl = declarationOf(checker, id);
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return [];
  const symbol = checker.getSymbolAtLocation(decl.name);
  const found: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) &&
      node.left.name.text === 'store' && ts.isIdentifier(node.left.expression) && checker.getSymbolAtLocation(node.left.expression) === symbol) found.push(node.right);
    ts.forEachChild(node, visit);
  };
  visit(decl.getSourceFile());
  return found;
}

/** The `new X(…)` / `X.create(…)` a store option holds, followed through constants. */
function storeExpression(checker: ts.TypeChecker, expr: ts.Expression, depth: number): ts.NewExpression | ts.CallExpression | undefined {
  const e = unwrap(expr);
  if (ts.isNewExpression(e) || ts.isCallExpression(e)) return e;
  if (!ts.isIdentifier(e) || depth > 3) return undefined;
  const decl = declarationOf(checker, e);
  // a store module's `export default new RedisStore(…)` / `module.exports = new MongoDBStore(…)`
  if (decl && ts.isExportAssignment(decl)) return storeExpression(checker, decl.expression, depth + 1);
  if (decl && ts.isBinaryExpression(decl) && decl.operatorToken.kind === ts.SyntaxKind.EqualsToken) return storeExpression(checker, decl.right, depth + 1);
  return decl && ts.isVariableDeclaration(decl) && decl.initializer && holdsOneValue(checker, decl) ? storeExpression(checker, decl.initializer, depth + 1) : undefined;
}

/** A `const`, or a `var` / `let` (`var store = new MongoDBStore(…)`) never assigned again in its file. */
function holdsOneValue(checker: ts.TypeChecker, decl: ts.VariableDeclaration): boolean {
  if (ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) return true;
  if (!ts.isIdentifier(decl.name)) return false;
  return !assignedWithin(decl.getSourceFile(), decl.name, checker);
}

function declarationOf(checker: ts.TypeChecker, id: ts.Identifier): ts.Declaration | undefined {
  // `{ store }`: the variable the shorthand names, not the property it makes
  let symbol = ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id ? checker.getShorthandAssignmentValueSymbol(id.parent) : checker.getSymbolAtLocation(id);
  // an import of a project module: the declaration it lands on; an import of a package: the import itself
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) {
    const aliased = checker.getAliasedSymbol(symbol);
    if (aliased.declarations?.length) symbol = aliased;
  }
  return symbol?.declarations?.[0];
}

/**
 * The package a callee visibly comes from: `session` imported or required from it, `require('x')` itself,
 * `require('connect-redis').default`, `require('connect-redis')(session)` (a store class made by a package's
 * factory), `new (require('connect-pg-simple')(session))(…)`, followed through constants.
 */
export function packageOfCallee(checker: ts.TypeChecker, expr: ts.Expression, depth = 0): string | undefined {
  const e = unwrap(expr);
  if (depth > 5) return undefined;
  if (ts.isCallExpression(e)) {
    if (ts.isIdentifier(e.expression) && e.expression.text === 'require') {
      const [arg] = e.arguments;
      return arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
    }
    return packageOfCallee(checker, e.expression, depth + 1);
  }
  if (ts.isPropertyAccessExpression(e)) return e.name.text === 'default' ? packageOfCallee(checker, e.expression, depth + 1) : memberPackage(checker, e, depth);
  if (!ts.isIdentifier(e)) return undefined;
  const decl = declarationOf(checker, e);
  if (!decl) return undefined;
  if (ts.isImportClause(decl) || ts.isNamespaceImport(decl) || ts.isImportEqualsDeclaration(decl)) return importSpecifierOf(decl);
  if (ts.isImportSpecifier(decl)) return importedName(decl) === 'default' || STORE_CLASSES.has(importedName(decl)) ? importSpecifierOf(decl) : undefined;
  if (ts.isBindingElement(decl)) {
    const holder = decl.parent.parent;
    const name = decl.propertyName ?? decl.name;
    return ts.isVariableDeclaration(holder) && holder.initializer && ts.isIdentifier(name) && STORE_CLASSES.has(name.text) ? packageOfCallee(checker, holder.initializer, depth + 1) : undefined;
  }
  return ts.isVariableDeclaration(decl) && decl.initializer ? packageOfCallee(checker, decl.initializer, depth + 1) : undefined;
}

/** connect-redis v8's named `RedisStore`, connect-mongo's `MongoStore`: named exports that are the store class. */
const STORE_CLASSES = new Set(['RedisStore', 'MongoStore', 'MongoDBStore', 'PGStore']);

function importedName(decl: ts.ImportSpecifier): string {
  return (decl.propertyName ?? decl.name).text;
}

/** `connectRedis.RedisStore`, `MongoStore.default`: a store class on a package's module. */
function memberPackage(checker: ts.TypeChecker, e: ts.PropertyAccessExpression, depth: number): string | undefined {
  return STORE_CLASSES.has(e.name.text) ? packageOfCallee(checker, e.expression, depth + 1) : undefined;
}
