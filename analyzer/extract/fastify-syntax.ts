// The shapes of Fastify code the route extractor recognises, without fastify installed: route options
// objects (`{ preHandler: [auth], handler }`), `fastify.route({ method, url, handler })`, and
// `register(plugin, { prefix })` resolved to the plugin function whose first parameter is the instance the
// plugin's routes are registered on. Real Fastify semantics: a plugin wrapped in fastify-plugin is not
// encapsulated — it works on the instance that registers it, so the `prefix` option does not apply to it.
import { ts } from 'ts-morph';
import { exprName } from './express-syntax.ts';
import { isFunctionLike } from './functions.ts';
import { hasSpread, objectLiteralOf, property, valueProperty } from './object-literal.ts';
import { importSpecifierOf } from './package-values.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { resolveSpecifier } from './resolve.ts';
import type { Middleware } from './route-tree.ts';
import { stringValue } from './string-value.ts';
import { resolveReference } from './symbols.ts';
import { exportedValue, unwrap, valueKey } from './value-key.ts';

const MAX_DEPTH = 6;

/** The request hooks that run before the handler, in Fastify's order; later hooks (onSend…) are not middleware. */
export const HOOK_PHASES: ReadonlyMap<string, number> = new Map([['onRequest', 0], ['preParsing', 1], ['preValidation', 2], ['preHandler', 3]]);

/** The hooks a route options object declares (`onRequest: auth`, `preHandler: [a, b]`), in Fastify's order. */
export function optionHooks(obj: ts.ObjectLiteralExpression): Middleware[] {
  const hooks: Middleware[] = [];
  for (const [hook, phase] of HOOK_PHASES) {
    const v = valueProperty(obj, hook);
    if (!v) continue;
    const u = unwrap(v);
    for (const h of ts.isArrayLiteralExpression(u) ? u.elements : [u]) hooks.push({ name: exprName(h), phase });
  }
  return hooks;
}

/** The handler of a route options object (`{ handler }`, `{ handler: list }`, `{ handler(req, reply) {…} }`). */
export function optionHandler(obj: ts.ObjectLiteralExpression): ts.Expression | undefined {
  // a method `handler() {}` is function-like: the route extractor treats it as an inline handler
  return property(obj, 'handler') as ts.Expression | undefined;
}

export interface RouteDeclaration {
  /** upper-case methods; undefined when chosen at run time */
  methods: string[] | undefined;
  method: ts.Expression;
  url: ts.Expression;
  handler: ts.Expression;
  hooks: Middleware[];
}

/** `fastify.route({ method: 'GET' | ['GET', 'HEAD'], url (or path): '/x', preHandler, handler })`. */
export function routeDeclaration(project: LoadedProject, arg: ts.Expression): RouteDeclaration | undefined {
  const obj = objectLiteralOf(project, arg);
  if (!obj) return undefined;
  const method = valueProperty(obj, 'method');
  const url = valueProperty(obj, 'url') ?? valueProperty(obj, 'path');
  const handler = optionHandler(obj);
  if (!method || !url || !handler) return undefined;
  const m = unwrap(method);
  const values = (ts.isArrayLiteralExpression(m) ? [...m.elements] : [m]).map((el) => stringValue(el, project.checker)?.toUpperCase());
  const methods = values.every((v): v is string => v !== undefined) ? values : undefined;
  return { methods, method, url, handler, hooks: optionHooks(obj) };
}

export interface RegisterPrefix {
  /** `['/']` when there is none, undefined when built at run time */
  prefixes: string[] | undefined;
  expression: string;
}

/**
 * The prefix a `register(plugin, options)` mounts under. `forwarded` reads what the analyzer cannot see in
 * place: a plugin's own options passed on (`register(inner, opts)`, `{ prefix: opts.prefix }`); `read`, the prefix's
 * string (in a loop: at one element).
 */
export function registerPrefix(
  project: LoadedProject, options: ts.Expression | undefined, forwarded?: (expr: ts.Expression) => RegisterPrefix | undefined,
  read: (expr: ts.Expression) => string | undefined = (expr) => stringValue(expr, project.checker),
): RegisterPrefix {
  if (!options) return { prefixes: ['/'], expression: '' };
  const obj = objectLiteralOf(project, options);
  // options computed at run time (`register(p, opts)`, a function of the parent) may hold a prefix
  if (!obj) return forwarded?.(options) ?? { prefixes: undefined, expression: options.getText() };
  const prefix = valueProperty(obj, 'prefix');
  if (!prefix) return hasSpread(obj) ? { prefixes: undefined, expression: options.getText() } : { prefixes: ['/'], expression: '' };
  const v = read(prefix);
  if (v === undefined) return forwarded?.(prefix) ?? { prefixes: undefined, expression: prefix.getText() };
  return { prefixes: [v], expression: prefix.getText() };
}

/**
 * `(fastify, opts)`: the options parameter of a plugin, when `expr` is it (`opts`, the whole options passed
 * on) or its prefix (`opts.prefix`).
 */
export function pluginOptionsParameter(project: LoadedProject, expr: ts.Expression): ts.ParameterDeclaration | undefined {
  const e = unwrap(expr);
  const id = ts.isIdentifier(e) ? e : ts.isPropertyAccessExpression(e) && e.name.text === 'prefix' && ts.isIdentifier(e.expression) ? e.expression : undefined;
  const decl = id && project.checker.getSymbolAtLocation(id)?.valueDeclaration;
  return decl && ts.isParameter(decl) && isFunctionLike(decl.parent) && decl.parent.parameters[1] === decl ? decl : undefined;
}

/** Does a plugin pass its prefix on (`{ prefix: opts.prefix }`, `register(inner, opts)`), so that a prefix given to it is used? */
export function forwardsPrefix(project: LoadedProject, fn: ts.SignatureDeclaration): boolean {
  const options = fn.parameters[1];
  if (!options || !ts.isIdentifier(options.name)) return false;
  const name = options.name.text;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'prefix' && ts.isIdentifier(n.expression) && n.expression.text === name) found = pluginOptionsParameter(project, n) === options;
    else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'register' && n.arguments[1] && ts.isIdentifier(n.arguments[1]) && n.arguments[1].text === name) found = true;
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return found;
}

/** Does `register(options)` set a prefix at all (for the warning that a fastify-plugin ignores it)? */
export function setsPrefix(project: LoadedProject, options: ts.Expression | undefined): boolean {
  const obj = options && objectLiteralOf(project, options);
  return !!obj && valueProperty(obj, 'prefix') !== undefined;
}

export interface Plugin {
  fn: ts.SignatureDeclaration;
  /** wrapped in fastify-plugin: shares the registering instance */
  shared: boolean;
}

/**
 * The function a `register()` argument stands for: written in place, a name declared or imported,
 * `require('./x')` / `import('./x')` (the module's export), or `fp(plugin)` from fastify-plugin.
 */
export function pluginFunction(project: LoadedProject, expr: ts.Expression, depth = 0): Plugin | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const e = unwrap(expr);
  if (isFunctionLike(e)) return { fn: e, shared: false };
  if (ts.isCallExpression(e)) {
    if (isPluginWrapper(project, e)) {
      const inner = e.arguments[0] && pluginFunction(project, e.arguments[0], depth + 1);
      return inner && { fn: inner.fn, shared: true };
    }
    if (e.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const file = importedFile(project, e);
      const value = file && defaultExport(file);
      return value && pluginOfDeclaration(project, value, depth + 1);
    }
  }
  const key = valueKey(project, e);
  return key && key !== e ? pluginOfDeclaration(project, key, depth + 1) : undefined;
}

function pluginOfDeclaration(project: LoadedProject, decl: ts.Node, depth: number): Plugin | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (isFunctionLike(decl)) return { fn: decl, shared: false };
  if ((ts.isVariableDeclaration(decl) || ts.isPropertyAssignment(decl)) && decl.initializer) return pluginFunction(project, decl.initializer, depth + 1);
  if (ts.isExportAssignment(decl)) return pluginFunction(project, decl.expression, depth + 1);
  if (ts.isBindingElement(decl) && ts.isIdentifier(decl.name)) {
    // `const { booksRoutes } = require('./books')`: the checker follows the property to its declaration
    const target = resolveReference(project, decl.name);
    return target.kind === 'project' && target.target.decl !== decl ? pluginOfDeclaration(project, target.target.decl, depth + 1) : undefined;
  }
  if (ts.isCallExpression(decl) || ts.isIdentifier(decl) || ts.isPropertyAccessExpression(decl)) return pluginFunction(project, decl, depth + 1);
  return undefined;
}

/** `fp(plugin)` / `fastifyPlugin(plugin)` / `require('fastify-plugin')(plugin)`. */
function isPluginWrapper(project: LoadedProject, call: ts.CallExpression): boolean {
  const callee = unwrap(call.expression);
  if (ts.isCallExpression(callee)) {
    const arg = callee.arguments[0];
    return ts.isIdentifier(callee.expression) && callee.expression.text === 'require' && !!arg && ts.isStringLiteralLike(arg) && arg.text === 'fastify-plugin';
  }
  if (!ts.isIdentifier(callee)) return false;
  const decl = project.checker.getSymbolAtLocation(callee)?.declarations?.[0];
  const spec = decl && importSpecifierOf(decl);
  return spec === undefined ? callee.text === 'fp' || callee.text === 'fastifyPlugin' : spec === 'fastify-plugin';
}

function importedFile(project: LoadedProject, call: ts.CallExpression): LoadedFile | undefined {
  const arg = call.arguments[0];
  if (!arg || !ts.isStringLiteralLike(arg)) return undefined;
  const r = resolveSpecifier(project, arg.text, call.getSourceFile().fileName);
  return r.kind === 'file' ? r.file : undefined;
}

/** What `import('./x')` resolves to for register(): the default export (`export default function`, `module.exports =`). */
function defaultExport(file: LoadedFile): ts.Node | undefined {
  const value = exportedValue(file);
  if (value) return value;
  for (const stmt of file.source.statements) {
    if (!ts.isFunctionDeclaration(stmt)) continue;
    const mods = ts.getCombinedModifierFlags(stmt);
    if (mods & ts.ModifierFlags.Export && mods & ts.ModifierFlags.Default) return stmt;
  }
  return undefined;
}

/** A parameter that reads as a Fastify instance: named or typed so (`fastify`, `app: FastifyInstance`). */
export function looksLikeFastifyInstance(param: ts.ParameterDeclaration): boolean {
  return /fastify/i.test(param.name.getText()) || (!!param.type && /Fastify/.test(param.type.getText()));
}
