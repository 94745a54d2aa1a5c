// Which Redis value an expression stands for: a client — ioredis's `new Redis(…)` / `new Redis.Cluster(…)`,
// node-redis's `createClient()` / `createCluster()` from `redis` or `@redis/client`, and what they hand back
// (`connect()`, `duplicate()`, `on('error', …)`) — or a transaction or pipeline (`multi()`, `pipeline()`, a
// command chained on one). Followed through variables, properties (`this.redis = new Redis()`,
// `constructor(private redis: Redis)`), object members, imports, `require`, values typed by the package
// (`Redis`, `RedisClientType`, `ReturnType<typeof createClient>`) and project functions that return one.
// The packages are seldom parsed (project.ts): a value is recognised by where it visibly comes from.
import { ts } from 'ts-morph';
import { isFunctionLike } from './functions.ts';
import type { CallSites } from './call-sites.ts';
import type { ModuleObjects } from './module-objects.ts';
import { importSpecifierOf } from './package-values.ts';
import type { LoadedProject } from './project.ts';
import { isKeyCommand } from './redis-commands.ts';
import { namedFunction } from './symbols.ts';
import { functionResult, laterAssigned, memoized, unwrap, valueKey } from './value-key.ts';

export type RedisValue = 'client' | 'multi';

export interface RedisValues {
  valueOf(expr: ts.Expression): RedisValue | undefined;
  /** what a function returns, when it is a Redis value */
  returnedBy(fn: ts.SignatureDeclaration): RedisValue | undefined;
}

const IOREDIS = 'ioredis';
const NODE_REDIS = new Set(['redis', '@redis/client', '@node-redis/client']);
const FACTORIES = new Set(['createClient', 'createCluster']);
/** client methods that hand back a client (node-redis's `connect()` resolves to it since 4.6; emitters return themselves) */
const SAME_CLIENT = new Set(['connect', 'duplicate', 'on', 'once', 'off', 'addListener', 'prependListener', 'removeListener', 'withTypeMapping', 'withCommandOptions']);
const BATCHES = new Set(['multi', 'pipeline', 'batch']);
const MAX_DEPTH = 8;

export function redisValues(project: LoadedProject, modules: ModuleObjects, callers: CallSites): RedisValues {
  const checker = project.checker;
  const byDecl = new Map<ts.Node, RedisValue | null>();
  const byFunction = new Map<ts.Node, RedisValue | null>();

  const declOf = (id: ts.Node): ts.Declaration | undefined => checker.getSymbolAtLocation(id)?.declarations?.[0];

  const isRequireOf = (e: ts.Expression, packages: (spec: string) => boolean): boolean => {
    if (!ts.isCallExpression(e) || !ts.isIdentifier(e.expression) || e.expression.text !== 'require') return false;
    const [arg] = e.arguments;
    return !!arg && ts.isStringLiteral(arg) && packages(arg.text);
  };
  const isNodeRedis = (spec: string): boolean => NODE_REDIS.has(spec);
  const isIoredis = (spec: string): boolean => spec === IOREDIS;

  /**
   * An ioredis class: the package's default export is `Redis` (`import Redis from 'ioredis'`, `require('ioredis')`),
   * which also carries `Redis.Cluster`; named `Redis` / `Cluster`; `IORedis.Redis` on a namespace import.
   */
  const ioredisClass = (node: ts.Node, depth = 0): 'Redis' | 'Cluster' | 'module' | undefined => {
    const e = ts.isExpression(node) ? unwrap(node) : node;
    if (depth > 3) return undefined;
    if (ts.isCallExpression(e)) return isRequireOf(e, isIoredis) ? 'Redis' : undefined;
    if (ts.isPropertyAccessExpression(e) || ts.isQualifiedName(e)) {
      const left = ts.isPropertyAccessExpression(e) ? e.expression : e.left;
      const name = ts.isPropertyAccessExpression(e) ? e.name.text : e.right.text;
      if (!ioredisClass(left, depth + 1)) return undefined;
      return name === 'Cluster' ? 'Cluster' : name === 'Redis' || name === 'default' ? 'Redis' : undefined;
    }
    if (!ts.isIdentifier(e)) return undefined;
    const decl = declOf(e);
    if (!decl) return undefined;
    const member = (name: string): 'Redis' | 'Cluster' | undefined => (name === 'Cluster' ? 'Cluster' : name === 'Redis' || name === 'default' ? 'Redis' : undefined);
    if (ts.isImportClause(decl) || ts.isImportEqualsDeclaration(decl)) return importSpecifierOf(decl) === IOREDIS ? 'Redis' : undefined;
    if (ts.isNamespaceImport(decl)) return importSpecifierOf(decl) === IOREDIS ? 'module' : undefined;
    if (ts.isImportSpecifier(decl)) return importSpecifierOf(decl) === IOREDIS ? member((decl.propertyName ?? decl.name).text) : undefined;
    if (ts.isBindingElement(decl)) {
      const holder = decl.parent.parent;
      const name = decl.propertyName ?? decl.name;
      return ts.isVariableDeclaration(holder) && holder.initializer && ioredisClass(holder.initializer, depth + 1) && ts.isIdentifier(name) ? member(name.text) : undefined;
    }
    return ts.isVariableDeclaration(decl) && decl.initializer ? ioredisClass(decl.initializer, depth + 1) : undefined;
  };

  /** node-redis as a module: `import * as redis from 'redis'`, `import redis from 'redis'`, `require('redis')`. */
  const isNodeRedisModule = (e: ts.Expression): boolean => {
    const u = unwrap(e);
    if (isRequireOf(u, isNodeRedis)) return true;
    if (!ts.isIdentifier(u)) return false;
    const decl = declOf(u);
    if (!decl) return false;
    // `var redis; … redis = require('redis')` (loaded where it is first needed)
    if (ts.isVariableDeclaration(decl)) {
      return decl.initializer ? isRequireOf(unwrap(decl.initializer), isNodeRedis) : !!laterAssigned(checker, decl, (right) => isRequireOf(unwrap(right), isNodeRedis) || undefined);
    }
    const spec = (ts.isNamespaceImport(decl) || ts.isImportClause(decl) || ts.isImportEqualsDeclaration(decl)) && importSpecifierOf(decl);
    return !!spec && isNodeRedis(spec);
  };

  /** A name node-redis exports (`createClient`, `RedisClientType`): imported, destructured from `require`, or on the module. */
  const nodeRedisExport = (node: ts.Node): string | undefined => {
    if (ts.isPropertyAccessExpression(node)) return isNodeRedisModule(node.expression) ? node.name.text : undefined;
    if (ts.isQualifiedName(node)) return ts.isIdentifier(node.left) && isNodeRedisModule(node.left) ? node.right.text : undefined;
    if (!ts.isIdentifier(node)) return undefined;
    const decl = declOf(node);
    if (!decl) return undefined;
    if (ts.isImportSpecifier(decl)) return isNodeRedis(importSpecifierOf(decl) ?? '') ? (decl.propertyName ?? decl.name).text : undefined;
    if (ts.isBindingElement(decl)) {
      const holder = decl.parent.parent;
      const name = decl.propertyName ?? decl.name;
      return ts.isVariableDeclaration(holder) && holder.initializer && isNodeRedisModule(holder.initializer) && ts.isIdentifier(name) ? name.text : undefined;
    }
    const init = ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
    return init && ts.isPropertyAccessExpression(init) && isNodeRedisModule(init.expression) ? init.name.text : undefined;
  };

  const typeValue = (type: ts.TypeNode | undefined, depth = 0): RedisValue | undefined => {
    if (!type || depth > 3) return undefined;
    if (ts.isUnionTypeNode(type)) {
      for (const t of type.types) {
        const v = typeValue(t, depth);
        if (v) return v;
      }
      return undefined;
    }
    if (ts.isParenthesizedTypeNode(type)) return typeValue(type.type, depth);
    if (!ts.isTypeReferenceNode(type)) return undefined;
    const name = type.typeName;
    // ReturnType<typeof createClient>
    const [arg] = type.typeArguments ?? [];
    if (ts.isIdentifier(name) && name.text === 'ReturnType' && arg && ts.isTypeQueryNode(arg)) {
      return FACTORIES.has(nodeRedisExport(arg.exprName) ?? '') ? 'client' : undefined;
    }
    const io = ioredisClass(name);
    if (io === 'Redis' || io === 'Cluster') return 'client';
    const ioName = ts.isIdentifier(name) ? ioredisImportName(name) : ts.isQualifiedName(name) && ioredisClass(name.left) ? name.right.text : undefined;
    if (ioName === 'Pipeline' || ioName === 'ChainableCommander') return 'multi';
    const exported = nodeRedisExport(name);
    // RedisClient: node-redis v3's class, as @types/redis names it
    if (exported === 'RedisClientType' || exported === 'RedisClusterType' || exported === 'RedisClient') return 'client';
    if (extendsClient(projectClass(name))) return 'client';
    // a project's own alias: `export type RedisClient = ReturnType<typeof createClient>`
    let symbol = ts.isIdentifier(name) ? checker.getSymbolAtLocation(name) : undefined;
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const alias = symbol?.declarations?.find(ts.isTypeAliasDeclaration);
    return alias ? typeValue(alias.type, depth + 1) : undefined;
  };

  /** `import { Pipeline } from 'ioredis'`: the imported name. */
  const ioredisImportName = (id: ts.Identifier): string | undefined => {
    const decl = declOf(id);
    return decl && ts.isImportSpecifier(decl) && importSpecifierOf(decl) === IOREDIS ? (decl.propertyName ?? decl.name).text : undefined;
  };

  /** A project class that extends an ioredis client (`class RedisService extends Redis`, as Nest apps wrap one): its instances are clients. */
  const extendsClient = (cls: ts.ClassLikeDeclaration | undefined, depth = 0): boolean => {
    const base = cls?.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    if (!base || depth > 3) return false;
    const io = ioredisClass(base);
    if (io === 'Redis' || io === 'Cluster') return true;
    return extendsClient(projectClass(base), depth + 1);
  };
  const projectClass = (name: ts.Node): ts.ClassLikeDeclaration | undefined => {
    const id = ts.isQualifiedName(name) ? name.right : ts.isPropertyAccessExpression(name) ? name.name : name;
    let symbol = checker.getSymbolAtLocation(id);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    return symbol?.declarations?.find(ts.isClassLike);
  };

  const valueOf = (expr: ts.Expression, depth: number): RedisValue | undefined => {
    if (depth > MAX_DEPTH) return undefined;
    const e = unwrap(expr);
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      return valueOf(e.left, depth + 1) ?? valueOf(e.right, depth + 1);
    }
    if (ts.isConditionalExpression(e)) return valueOf(e.whenTrue, depth + 1) ?? valueOf(e.whenFalse, depth + 1);
    if (ts.isNewExpression(e)) {
      const cls = ioredisClass(e.expression);
      return cls === 'Redis' || cls === 'Cluster' || extendsClient(projectClass(e.expression)) ? 'client' : undefined;
    }
    // `this.get(key)` in a class that extends the client
    if (e.kind === ts.SyntaxKind.ThisKeyword) return extendsClient(ts.findAncestor(e, ts.isClassLike)) ? 'client' : undefined;
    if (ts.isCallExpression(e)) return callValue(e, depth);
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) return heldValue(e, depth) ?? (ts.isPropertyAccessExpression(e) ? memberValue(e, depth) : undefined);
    return undefined;
  };

  /** `module.client` where `module` holds a module's exports object: what is assigned to that member anywhere (module-objects.ts). */
  const memberValue = (e: ts.PropertyAccessExpression, depth: number): RedisValue | undefined => {
    for (const file of modules.objectsOf(e.expression)) {
      for (const assigned of modules.member(file, e.name.text)) {
        const a = unwrap(assigned);
        const v = isFunctionLike(a) ? undefined : valueOf(a, depth + 1);
        if (v) return v;
      }
    }
    return undefined;
  };

  /** `module.connect()`: a function assigned to a member of a module's exports object. */
  const memberFunction = (callee: ts.Expression): ts.SignatureDeclaration | undefined => {
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    for (const file of modules.objectsOf(callee.expression)) {
      const fns = modules.member(file, callee.name.text).map(unwrap).filter((a): a is ts.Expression & ts.SignatureDeclaration => isFunctionLike(a));
      if (fns.length === 1) return fns[0];
    }
    return undefined;
  };

  const callValue = (call: ts.CallExpression, depth: number): RedisValue | undefined => {
    const callee = unwrap(call.expression);
    if (FACTORIES.has(nodeRedisExport(callee) ?? '')) return 'client';
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const on = valueOf(callee.expression, depth + 1);
      if (on === 'client' && SAME_CLIENT.has(method)) return 'client';
      if (on === 'client' && BATCHES.has(method)) return 'multi';
      // redis.multi().set(…).incr(…): each command queued hands the transaction back
      if (on === 'multi' && (isKeyCommand(method) || method === 'call' || method === 'addCommand')) return 'multi';
      if (on) return undefined;
    }
    return returnedValue(call, depth);
  };

  const returnedValue = (call: ts.CallExpression, depth: number): RedisValue | undefined => {
    const callee = unwrap(call.expression);
    const fn = namedFunction(project, callee) ?? memberFunction(callee);
    return fn && functionValue(fn, depth);
  };

  const functionValue = (fn: ts.SignatureDeclaration, depth: number): RedisValue | undefined =>
    memoized(byFunction, fn, () => typeValue(fn.type) ?? typeValue(promised(fn.type)) ?? functionResult(fn, (e: ts.Expression) => valueOf(e, depth + 1)));

  /** A variable, property or parameter: what it was given, or what its type says. */
  const heldValue = (e: ts.Identifier | ts.PropertyAccessExpression, depth: number): RedisValue | undefined => {
    const key = valueKey(project, e);
    return key && memoized(byDecl, key, () => declValue(key, depth));
  };

  const declValue = (key: ts.Node, depth: number): RedisValue | undefined => {
    if (ts.isVariableDeclaration(key) || ts.isPropertyDeclaration(key) || ts.isParameter(key)) {
      const init = key.initializer;
      if (init && isFunctionLike(unwrap(init))) return undefined;
      return (init && valueOf(init, depth + 1)) ?? typeValue(key.type) ?? assignedValue(key, depth) ?? (ts.isParameter(key) ? givenValue(key, depth) : undefined);
    }
    if (ts.isPropertyAssignment(key)) return valueOf(key.initializer, depth + 1);
    if (ts.isPropertySignature(key)) return typeValue(key.type); // interface Context { redis: Redis }
    // JavaScript's `this.redis = new Redis()`: the assignment declares the property
    if (ts.isBinaryExpression(key) && key.operatorToken.kind === ts.SyntaxKind.EqualsToken) return valueOf(key.right, depth + 1);
    const parent = key.parent;
    if (ts.isPropertyAccessExpression(key) && parent && ts.isBinaryExpression(parent) && parent.left === key) return valueOf(parent.right, depth + 1);
    // `export default new Redis()`, `module.exports = createClient()`
    return ts.isExpression(key) ? valueOf(key, depth + 1) : undefined;
  };

  /**
   * `module.exports = function (redisClient, module) {…}` called as `require('./redis/hash')(client, module)`, a helper
   * called as `helpers.multiKeyValues(redisClient, 'zrem', key, values)`: what it is given, when every call agrees.
   */
  const givenValue = (param: ts.ParameterDeclaration, depth: number): RedisValue | undefined => {
    const fn = param.parent;
    const index = isFunctionLike(fn) ? fn.parameters.indexOf(param) : -1;
    const sites = index < 0 || param.dotDotDotToken ? [] : [...callers(fn), ...modules.callsOf(fn)];
    const args = [...modules.argumentsOf(param), ...sites.flatMap((s) => (s.call.arguments[index] ? [s.call.arguments[index]] : []))];
    const given = args.map((arg) => valueOf(arg, depth + 1));
    return given.length > 0 && given.every((v) => v === given[0]) ? given[0] : undefined;
  };

  /** `let client; … client = createClient()`, `private redis; constructor() { this.redis = new Redis() }` */
  const assignedValue = (decl: ts.VariableDeclaration | ts.PropertyDeclaration | ts.ParameterDeclaration, depth: number): RedisValue | undefined =>
    laterAssigned(checker, decl, (right) => valueOf(right, depth + 1));

  return {
    valueOf: (expr) => valueOf(expr, 0),
    returnedBy: (fn) => functionValue(fn, 0),
  };
}

/** `Promise<Redis>` → `Redis`: an async function's declared result. */
function promised(type: ts.TypeNode | undefined): ts.TypeNode | undefined {
  if (!type || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName) || type.typeName.text !== 'Promise') return undefined;
  return type.typeArguments?.[0];
}
