// Which code reads and writes Redis, through ioredis or node-redis: each command called on a client or in a
// `multi()` / `pipeline()` batch (redis-values.ts) that names a key is an access of the resource
// `redis:<prefix>`, the key's static prefix (redis-keys.ts), read or written as the command does
// (redis-commands.ts). Session stores, carts, counters and caches kept under a prefix are state the services
// cut from a monolith share, as a table is. A key a helper only receives as a parameter (`cached(key, load)`)
// is read at each call of the helper, and the access belongs to the caller, as a SQL constant belongs to the
// functions that use it. A key with no static part is a warning where the key is made, never a guess.
//
// Cheap on trees that do not use Redis: only files that mention `redis` are read, then the files that can
// reach a client through them (value-holders.ts).
import { ts } from 'ts-morph';
import type { AccessCollector } from './access-collector.ts';
import { arrayGrowth } from './array-growth.ts';
import { callSites, unseenCalls, wholeParameter, type CallSite, type CallSites } from './call-sites.ts';
import { functionName, isFunctionLike } from './functions.ts';
import { moduleObjects, type ModuleObjects } from './module-objects.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { commandKeys, isKeyCommand, type KeyArg } from './redis-commands.ts';
import { keyPrefix, mappedKeyPrefix } from './redis-keys.ts';
import { redisValues, type RedisValues } from './redis-values.ts';
import { stringValue } from './string-value.ts';
import type { Warning } from './types.ts';
import { filesReaching, warnMadeAtRunTime } from './value-holders.ts';
import { unwrap } from './value-key.ts';

/** Words a declaration holding a client, or a function returning one, has in its text. */
const CLIENT_WORDS = /redis|Redis|createClient|createCluster|\.multi\(|\.pipeline\(|\.duplicate\(/;
/** Commands given by name: ioredis's `call('GET', key)`, node-redis's `sendCommand(['GET', key])` and v3's `send_command('GET', [key])`. */
const GENERIC = new Set(['call', 'callBuffer', 'sendCommand', 'send_command']);
/** how many helpers deep a key parameter is followed to the callers (`getOrSet(key)` → `getCache(key)` → `redis.get(key)`) */
const MAX_HELPERS = 3;

export interface RedisReader {
  values: RedisValues;
  /** the files read for Redis calls */
  files: Set<LoadedFile>;
  /** keys made at run time already warned about */
  warned: Set<ts.Node>;
  callers: CallSites;
  modules: ModuleObjects;
}

export function collectRedis(project: LoadedProject, warnings: Warning[]): RedisReader | undefined {
  const seed = project.files.filter((f) => f.source.text.includes('redis'));
  if (seed.length === 0) return undefined;
  const modules = moduleObjects(project);
  const callers = callSites(project);
  const values = redisValues(project, modules, callers);
  // the modules a Redis file loads and calls (`require('./redis/main')(module)`) may be handed its client
  const called = seed.flatMap((f) => modules.calledModules(f));
  const files = filesReaching(project, { seed: [...new Set([...seed, ...called])], probe: values, words: CLIENT_WORDS, what: 'Redis clients' }, warnings);
  return { values, files, warned: new Set(), callers, modules };
}

interface Issued {
  command: string;
  args: readonly ts.Expression[];
  /** where the command is named: the access's line and function */
  at: ts.Node;
}

export function scanRedis(project: LoadedProject, file: LoadedFile, redis: RedisReader | undefined, out: AccessCollector, warnings: Warning[]): void {
  if (!redis || !redis.files.has(file)) return;
  const checker = project.checker;

  /** A key the analyzer cannot know anything of: say so once, where it is made. */
  const runTimeKey = (made: ts.Expression): void =>
    warnMadeAtRunTime(project, redis.warned, warnings, made, 'Redis key is made at run time with no static prefix');

  const keysOf = (command: string, args: readonly ts.Expression[]): KeyArg[] => commandKeys(command, appendedArray(args, checker), (arg) => isCallback(arg, checker));
  const record = (issued: Issued): void => {
    for (const k of keysOf(issued.command, issued.args)) recordKey(k, file, issued.at, 0);
  };
  /**
   * `client[method](params)` in a helper whose caller names the command (`sortedSetRange('zrange', key, …)`): at each
   * call, that command with the key the same call gives, so one caller's write is never another caller's key.
   */
  const recordGiven = (name: ts.Expression, args: readonly ts.Expression[], at: ts.Node): void => {
    const param = wholeParameter(name, checker);
    if (!param) return;
    const helper = param.parent;
    const index = helper.parameters.indexOf(param);
    for (const site of sitesOf(redis, helper)) {
      const given = site.call.arguments[index];
      const command = given && stringValue(given, checker);
      if (command === undefined || !isKeyCommand(command)) continue;
      for (const k of keysOf(command, args)) {
        // `keys[i]` in a loop over the helper's parameter: each key of what this same call gives
        const looped = typeof k.key === 'string' ? undefined : loopedParameter(k.key, checker);
        const keyParam = typeof k.key === 'string' ? undefined : wholeParameter(looped ?? k.key, checker);
        if (!keyParam || keyParam.parent !== helper) {
          recordKey(k, file, at, 0);
          continue;
        }
        const key = site.call.arguments[helper.parameters.indexOf(keyParam)] ?? keyParam.initializer;
        if (key) recordKey({ ...k, key }, site.file, site.callee, 1, looped !== undefined);
      }
    }
  };
  /** `each`: `k.key` is an array whose every element is a key (`keys[i]` in a loop over a helper's parameter) */
  const recordKey = (k: KeyArg, where: LoadedFile, at: ts.Node, helpers: number, each = false): void => {
    let made: ts.Expression;
    if (each) {
      if (typeof k.key === 'string') return;
      made = unwrap(k.key);
      if (ts.isArrayLiteralExpression(made)) return recordEach(k, made.elements, where, at, helpers);
      // `uids.map(uid => 'user:' + uid)`, or a variable holding one: each element is the key its callback returns
      const mapped = mappedKeyPrefix(project, made, k.pattern);
      if (mapped !== undefined) return out.access(where, at, `redis:${mapped}`, k.access, 'redis');
      // `followerKeys.concat(ignorerKeys)`: the keys of each array
      const joined = concatenated(made);
      if (joined) return joined.forEach((part) => recordKey({ ...k, key: part }, where, at, helpers, true));
      // `var keys = []; for (…) keys.push('post:' + pids[i])`: the keys written and pushed
      const grown = pushedKeys(project, made);
      if (grown) return recordEach(k, grown, where, at, helpers);
    } else {
      const key = keyPrefix(project, k.key, k.pattern);
      if ('prefix' in key) return out.access(where, at, `redis:${key.prefix}`, k.access, 'redis');
      // `db.getSortedSetRange(['a:' + id, 'b'], …)`: a caller's keys written out, one by one
      const list = helpers > 0 ? keyList(key.made) : undefined;
      if (list) return recordEach(k, list, where, at, helpers);
      made = key.made;
      // `sortBy === 'count' ? 'posts:flags:count' : 'posts:flagged'`: either key
      if (ts.isConditionalExpression(made)) return recordEach(k, [made.whenTrue, made.whenFalse], where, at, helpers);
      // `for (…; i < keys.length; …) multi[command](keys[i])` over a parameter: each key of the array the callers give
      const array = loopedParameter(made, checker);
      if (array) {
        made = array;
        each = true;
      }
    }
    const given = wholeParameter(made, checker);
    if (given && helpers >= MAX_HELPERS) {
      const name = functionName(given.parent);
      if (name) return warnMadeAtRunTime(project, redis.warned, warnings, made, `the Redis key of ${name} is given four or more helpers up, past the three followed`);
    }
    const param = helpers < MAX_HELPERS ? given : undefined;
    // a function added to a module's object (`module.getObject = function (key) {…}`) is called on it: `db.getObject(…)`
    const sites = param ? sitesOf(redis, param.parent) : [];
    const name = param && sites.length === 0 ? functionName(param.parent) : undefined;
    if (param && name) {
      // `async.apply(user.getHistory, key)`, `db[method](…)`: calls not seen
      const unseen = unseenCalls(project, param.parent);
      const what = unseen ? `the Redis key of ${name} is given by calls not followed (the function is ${unseen === 'value' ? 'passed on as a value' : 'named in a string'})` : `no caller in the project gives the Redis key of ${name}`;
      return warnMadeAtRunTime(project, redis.warned, warnings, made, what);
    }
    if (!param || sites.length === 0) return runTimeKey(made);
    const index = param.parent.parameters.indexOf(param);
    for (const site of sites) {
      const value = site.call.arguments[index] ?? param.initializer;
      if (value) recordKey({ ...k, key: value }, site.file, site.callee, helpers + 1, each);
    }
  };
  const recordEach = (k: KeyArg, elements: readonly ts.Expression[], where: LoadedFile, at: ts.Node, helpers: number): void => {
    for (const element of elements) {
      if (ts.isSpreadElement(element)) runTimeKey(element);
      else recordKey({ ...k, key: element }, where, at, helpers);
    }
  };

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)) {
        const issued = commandsOf(node, callee.name, checker);
        if (issued.length > 0 && redis.values.valueOf(callee.expression)) issued.forEach(record);
      } else if (ts.isElementAccessExpression(callee) && redis.values.valueOf(callee.expression)) {
        const named = stringValue(callee.argumentExpression, checker);
        if (named !== undefined) {
          if (isKeyCommand(named)) record({ command: named, args: node.arguments, at: callee.argumentExpression });
        } else recordGiven(callee.argumentExpression, node.arguments, callee.argumentExpression);
      } else if (ts.isIdentifier(callee)) {
        const command = promisifiedCommand(callee, redis.values, checker);
        if (command) record({ command, args: node.arguments, at: callee });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
}

/** `keys[i]` where `i` counts in a `for` loop and `keys` is a parameter: the parameter, whose every element is a key. */
function loopedParameter(made: ts.Expression, checker: ts.TypeChecker): ts.Expression | undefined {
  const e = unwrap(made);
  if (!ts.isElementAccessExpression(e) || !ts.isIdentifier(e.argumentExpression) || !wholeParameter(e.expression, checker)) return undefined;
  const counter = checker.getSymbolAtLocation(e.argumentExpression)?.valueDeclaration;
  const loop = counter && ts.isVariableDeclaration(counter) ? counter.parent?.parent : undefined;
  return loop && ts.isForStatement(loop) && loop.initializer === counter?.parent ? e.expression : undefined;
}

/** `a.concat(b, c)` of arrays: the arrays, receiver first. */
function concatenated(made: ts.Expression): ts.Expression[] | undefined {
  if (!ts.isCallExpression(made)) return undefined;
  const callee = unwrap(made.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'concat' || made.arguments.some(ts.isSpreadElement)) return undefined;
  return [callee.expression, ...made.arguments];
}

/**
 * `var keys = [];` grown by `keys.push('post:' + pid)` (in a loop, in a callback) and nothing else (array-growth.ts): the
 * elements it is written with and every one pushed, each a key the array may hold.
 */
function pushedKeys(project: LoadedProject, made: ts.Expression): readonly ts.Expression[] | undefined {
  if (!ts.isIdentifier(made)) return undefined;
  const decl = project.checker.getSymbolAtLocation(made)?.valueDeclaration;
  const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
  if (!init || !ts.isArrayLiteralExpression(init)) return undefined;
  const growth = arrayGrowth(project, decl as ts.VariableDeclaration);
  if (growth.changed) return undefined;
  // only pushes written on the variable itself: one in a helper the array is handed to pushes that helper's parameters
  const checker = project.checker;
  const onItself = (call: ts.CallExpression): boolean => {
    const callee = unwrap(call.expression);
    const on = ts.isPropertyAccessExpression(callee) ? unwrap(callee.expression) : undefined;
    return !!on && ts.isIdentifier(on) && checker.getSymbolAtLocation(on)?.valueDeclaration === decl;
  };
  const pushes = [...growth.calls.map((c) => c.call), ...growth.uncounted];
  if (!pushes.every(onItself)) return undefined;
  return [...init.elements, ...pushes.flatMap((call) => call.arguments)];
}

/** words a command's arguments are, not keys: scores, ranges, options */
const NOT_A_KEY = /^(?:[-+(\[]|(?:WITHSCORES|LIMIT|MATCH|COUNT|NX|XX|EX|PX|GT|LT|CH|INCR|BYSCORE|BYLEX|REV)$)/i;

/**
 * `['cid:' + cid + ':tids:pinned', 'cid:' + cid + ':tids']` given for a key: its elements, when they read as keys. An
 * array with a number or a command's word in it (`['posts:recent', '+inf', '-inf']`) is an argument list, not keys.
 */
function keyList(made: ts.Expression): readonly ts.Expression[] | undefined {
  const e = unwrap(made);
  if (!ts.isArrayLiteralExpression(e) || e.elements.length === 0) return undefined;
  const argument = (el: ts.Expression): boolean => {
    const u = unwrap(el);
    return ts.isNumericLiteral(u) || ts.isPrefixUnaryExpression(u) || ((ts.isStringLiteral(u) || ts.isNoSubstitutionTemplateLiteral(u)) && NOT_A_KEY.test(u.text));
  };
  return e.elements.some(argument) ? undefined : e.elements;
}

/** The calls of a helper: found by the type checker, or on a module's object (`db.getObject(…)`, `helpers.multiKeyValues(…)`), each once. */
function sitesOf(redis: RedisReader, fn: ts.SignatureDeclaration): CallSite[] {
  const found = redis.callers(fn);
  const more = redis.modules.callsOf(fn).filter((m) => !found.some((s) => s.call === m.call));
  return more.length === 0 ? found : [...found, ...more];
}

/**
 * `var params = [key, start, stop]; if (withScores) params.push('WITHSCORES'); client[method](params)`: an array a local
 * holds and only appends to keeps the elements it was written with first, so it reads as written. Any other use of
 * the local (passed elsewhere, reassigned, `unshift`, `splice`) leaves it unread.
 */
function appendedArray(args: readonly ts.Expression[], checker: ts.TypeChecker): readonly ts.Expression[] {
  const first = args[0] && unwrap(args[0]);
  if (!first || !ts.isIdentifier(first)) return args;
  const decl = checker.getSymbolAtLocation(first)?.valueDeclaration;
  const init = decl && ts.isVariableDeclaration(decl) && decl.initializer && unwrap(decl.initializer);
  if (!decl || !init || !ts.isArrayLiteralExpression(init)) return args;
  const scope = ts.findAncestor(decl, isFunctionLike) ?? decl.getSourceFile();
  let onlyAppended = true;
  const visit = (n: ts.Node): void => {
    if (!onlyAppended) return;
    if (ts.isIdentifier(n) && n !== first && n.text === first.text && n !== (decl as ts.VariableDeclaration).name && checker.getSymbolAtLocation(n)?.valueDeclaration === decl) {
      const parent = n.parent;
      const pushed = ts.isPropertyAccessExpression(parent) && parent.expression === n && parent.name.text === 'push' && ts.isCallExpression(parent.parent) && parent.parent.expression === parent;
      if (!pushed) onlyAppended = false;
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return onlyAppended ? [init, ...args.slice(1)] : args;
}

/**
 * A command's trailing callback (node-redis v2/v3, ioredis): a function written there, or a parameter of the enclosing
 * function that the function calls (`callback(err)`) or gives a function (`callback = callback || function () {}`),
 * as node-style code forwards its own callback (`module.delete = function (key, callback) { client.del(key, callback) }`).
 */
function isCallback(arg: ts.Expression, checker: ts.TypeChecker): boolean {
  const e = unwrap(arg);
  if (isFunctionLike(e)) return true;
  if (!ts.isIdentifier(e)) return false;
  const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
  if (!decl || !ts.isParameter(decl) || !ts.isIdentifier(decl.name) || !isFunctionLike(decl.parent)) return false;
  const body = 'body' in decl.parent ? (decl.parent.body as ts.Node | undefined) : undefined;
  const name = decl.name.text;
  if (!body || !body.getText().includes(name)) return false;
  const same = (n: ts.Expression): boolean => {
    const u = unwrap(n);
    return ts.isIdentifier(u) && u.text === name && checker.getSymbolAtLocation(u)?.valueDeclaration === decl;
  };
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && same(n.expression)) found = true;
    else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && same(n.left)) {
      const right = unwrap(n.right);
      found = isFunctionLike(right) || (ts.isBinaryExpression(right) && isFunctionLike(unwrap(right.right)));
    }
    if (!found) ts.forEachChild(n, visit);
  };
  visit(body);
  return found;
}

/**
 * `getAsync(key)` over `const getAsync = promisify(client.get).bind(client)` (also `util.promisify`, without
 * `bind`, or `module.exports.getAsync = …`): node-redis v3 code calls its commands through promisified copies.
 */
function promisifiedCommand(callee: ts.Identifier, values: RedisValues, checker: ts.TypeChecker): string | undefined {
  let symbol = checker.getSymbolAtLocation(callee);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol?.valueDeclaration;
  if (!decl) return undefined;
  // JavaScript's `module.exports.getAsync = …`: the assignment, or its left side, declares the name
  const parent = decl.parent;
  const assigned = ts.isBinaryExpression(decl) ? decl : ts.isBinaryExpression(parent) && parent.left === (decl as ts.Node) ? parent : undefined;
  const init = ts.isVariableDeclaration(decl) || ts.isPropertyAssignment(decl) ? decl.initializer : assigned?.right;
  let e = init && unwrap(init);
  // promisify(client.get).bind(client)
  if (e && ts.isCallExpression(e)) {
    const bind = unwrap(e.expression);
    if (ts.isPropertyAccessExpression(bind) && bind.name.text === 'bind') e = unwrap(bind.expression);
  }
  if (!e || !ts.isCallExpression(e)) return undefined;
  const fn = unwrap(e.expression);
  const promisify = (ts.isIdentifier(fn) && fn.text === 'promisify') || (ts.isPropertyAccessExpression(fn) && fn.name.text === 'promisify');
  const target = e.arguments[0] && unwrap(e.arguments[0]);
  if (!promisify || !target || !ts.isPropertyAccessExpression(target) || !ts.isIdentifier(target.name)) return undefined;
  return isKeyCommand(target.name.text) && values.valueOf(target.expression) ? target.name.text : undefined;
}

/** The commands a method call issues, if its receiver is a Redis client or batch (checked by the caller). */
function commandsOf(call: ts.CallExpression, method: ts.Identifier, checker: ts.TypeChecker): Issued[] {
  const args = call.arguments;
  const name = method.text;
  if (GENERIC.has(name)) {
    // sendCommand(['GET', key]); send_command('GET', [key]); call('GET', key)
    const first = args[0] && unwrap(args[0]);
    const list = name === 'sendCommand' && first && ts.isArrayLiteralExpression(first) ? [...first.elements] : [...args];
    const command = list[0] && stringValue(list[0], checker);
    if (command === undefined) return [];
    const rest = list.slice(1);
    const spread = rest.length === 1 && ts.isArrayLiteralExpression(unwrap(rest[0])) ? [...(unwrap(rest[0]) as ts.ArrayLiteralExpression).elements] : rest;
    return [{ command, args: name === 'send_command' ? spread : rest, at: method }];
  }
  // ioredis: multi([['set', key, value], ['incr', counter]]), pipeline([...])
  if ((name === 'multi' || name === 'pipeline') && args[0] && ts.isArrayLiteralExpression(unwrap(args[0]))) {
    return (unwrap(args[0]) as ts.ArrayLiteralExpression).elements.flatMap((element): Issued[] => {
      const e = unwrap(element);
      if (!ts.isArrayLiteralExpression(e) || e.elements.length === 0) return [];
      const command = stringValue(e.elements[0], checker);
      return command === undefined ? [] : [{ command, args: e.elements.slice(1), at: e.elements[0] }];
    });
  }
  return isKeyCommand(name) ? [{ command: name, args, at: method }] : [];
}
