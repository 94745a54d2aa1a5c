// Which parameters hold an Express request (or a Koa context, a Fastify request): the first parameter of each
// route handler the route extraction found, of each function given to `use()` or a verb on an app or router
// made by express or koa, of a request hook added to a Fastify instance (`addHook('preHandler', …)`), of a
// function typed `RequestHandler`, a parameter typed express's `Request`, a Nest handler's `@Req()` parameter,
// and, a few helpers deep, the parameter of a project function that one of those is passed to
// (`requireUser(req)`). A parameter merely named `req` or `ctx` counts for nothing.
import { ts } from 'ts-morph';
import { verbMethod } from './express-syntax.ts';
import { HOOK_PHASES } from './fastify-syntax.ts';
import { functionName, isFunctionLike, lineOf, ownFunctionName } from './functions.ts';
import { isOtherNestParameter, nestRequestParameters } from './nest-session.ts';
import { importSpecifierOf, packageOf } from './package-values.ts';
import type { LoadedProject } from './project.ts';
import { namedFunction, resolveReference } from './symbols.ts';
import type { RouteFact } from './types.ts';
import { unwrap } from './value-key.ts';

const EXPRESS = new Set(['express', 'express-serve-static-core']);
/** Koa apps and koa-router routers: the first parameter of their middleware is the context, `ctx.session`'s */
const KOA = new Set(['koa', '@koa/router', 'koa-router']);
/** packages whose default export wraps an async handler so its rejection reaches `next()` */
const ASYNC_WRAPPERS = new Set(['express-async-handler']);
/** how many helpers deep a request passed along is followed */
const MAX_HELPERS = 3;

export function requestParameters(project: LoadedProject, routes: readonly RouteFact[]): Set<ts.ParameterDeclaration> {
  const checker = project.checker;
  const found = new Set<ts.ParameterDeclaration>();
  const add = (fn: ts.Node | undefined): void => {
    if (!fn || !isFunctionLike(fn)) return;
    const first = fn.parameters[0];
    // a Nest handler's first parameter is the request only when `@Req()` says so
    if (first && !isOtherNestParameter(first, checker)) found.add(first);
  };

  // route handlers, by their function id (an inline one also by its line: it may take a named function's id)
  const handlers = new Map<string, RouteFact['handler'][]>();
  for (const r of routes) {
    const { file, name, kind } = r.handler;
    if (file && name && (kind === 'inline' || kind === 'named')) handlers.set(file, [...(handlers.get(file) ?? []), r.handler]);
  }
  for (const file of project.files) {
    const refs = handlers.get(file.rel);
    if (!refs) continue;
    const visit = (node: ts.Node): void => {
      if (isFunctionLike(node)) {
        const id = ownFunctionName(node, file.source);
        const line = lineOf(node, file.source);
        const handles = refs.some((h) => h.name === id && (h.kind === 'named' ? functionName(node) === id : h.line === line && outermostAt(node, line, file.source)));
        if (handles) add(node);
      }
      ts.forEachChild(node, visit);
    };
    visit(file.source);
  }

  // middleware and handlers given to express's apps and routers; typed parameters
  const handlerArg = (arg: ts.Expression, depth = 0): void => {
    const e = unwrap(arg);
    if (isFunctionLike(e)) return add(e);
    // catchErrors(storeController.update), asyncHandler(async (req, res) => …): the wrapper calls what it is given
    // with its own request
    if (ts.isCallExpression(e)) {
      if (depth < MAX_HELPERS && isHandlerWrapper(project, e)) e.arguments.forEach((a) => handlerArg(a, depth + 1));
      return;
    }
    const ref = ts.isIdentifier(e) ? e : ts.isPropertyAccessExpression(e) ? e.name : undefined;
    const target = ref && resolveReference(project, ref);
    if (target?.kind !== 'project') return;
    const decl = target.target.decl;
    // `module.exports = { loginRequired: loginRequired }`: the member names the function
    if (ts.isPropertyAssignment(decl) && ts.isIdentifier(decl.initializer) && depth < MAX_HELPERS) return handlerArg(decl.initializer, depth + 1);
    add(decl);
  };
  for (const file of project.files) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        if (method === 'use' || verbMethod(method)) {
          const pkg = packageOf(checker, node.expression.expression) ?? '';
          if (EXPRESS.has(pkg) || KOA.has(pkg)) node.arguments.forEach((a) => handlerArg(a));
        } else if (method === 'addHook' && node.arguments.length === 2 && isRequestHook(node.arguments[0]!) && packageOf(checker, node.expression.expression) === 'fastify') {
          // fastify.addHook('preHandler', (request, reply) => …) on an instance made or typed by fastify
          handlerArg(node.arguments[1]!);
        }
      } else if (ts.isParameter(node) && node.type && isExpressType(checker, node.type, 'Request')) {
        found.add(node);
      } else if (ts.isVariableDeclaration(node) && node.type && node.initializer && isExpressType(checker, node.type, 'RequestHandler')) {
        add(unwrap(node.initializer));
      }
      ts.forEachChild(node, visit);
    };
    visit(file.source);
  }

  // Nest's `@Req() req`, typed or not
  for (const param of nestRequestParameters(project)) found.add(param);

  // helpers a request is passed to
  let frontier = [...found];
  for (let depth = 0; depth < MAX_HELPERS && frontier.length > 0; depth++) {
    const next: ts.ParameterDeclaration[] = [];
    for (const param of frontier) {
      const body = (param.parent as ts.FunctionLikeDeclaration).body;
      if (!body || !ts.isIdentifier(param.name)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          node.arguments.forEach((arg, i) => {
            if (!ts.isIdentifier(arg) || checker.getSymbolAtLocation(arg)?.valueDeclaration !== param) return;
            const callee = unwrap(node.expression);
            const ref = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
            const target = ref && resolveReference(project, ref);
            const fn = target?.kind === 'project' ? target.target.decl : undefined;
            const given = fn && isFunctionLike(fn) ? fn.parameters[i] : undefined;
            if (given && !given.dotDotDotToken && !found.has(given)) {
              found.add(given);
              next.push(given);
            }
          });
        }
        ts.forEachChild(node, visit);
      };
      visit(body);
    }
    frontier = next;
  }
  return found;
}

/**
 * A call given to a route or `use()` that wraps a handler: a project function (`catchErrors(fn)`, `wrap(fn)`) or
 * express-async-handler. Package middleware factories (`passport.authenticate('local', cb)`, `multer().single()`)
 * are not: a callback they take is called with something else.
 */
function isHandlerWrapper(project: LoadedProject, call: ts.CallExpression): boolean {
  const callee = unwrap(call.expression);
  return ASYNC_WRAPPERS.has(packageOf(project.checker, callee) ?? '') || namedFunction(project, callee) !== undefined;
}

/** A Fastify hook that runs for a request before the handler, and so may read or change its session. */
function isRequestHook(name: ts.Expression): boolean {
  return ts.isStringLiteralLike(name) && HOOK_PHASES.has(name.text);
}

/** No function around this one starts on the same line: `(req, res) => items.map((i) => …)` is the handler, not the callback. */
function outermostAt(fn: ts.Node, line: number, source: ts.SourceFile): boolean {
  for (let cur = fn.parent; cur && cur !== source; cur = cur.parent) if (isFunctionLike(cur) && lineOf(cur, source) === line) return false;
  return true;
}

/** `Request` / `express.Request` / `Request<Params>` from express (or its core types), as `name`. */
function isExpressType(checker: ts.TypeChecker, type: ts.TypeNode, name: string): boolean {
  if (!ts.isTypeReferenceNode(type)) return false;
  const typeName = type.typeName;
  if (ts.isQualifiedName(typeName)) {
    if (typeName.right.text !== name) return false;
    let left: ts.EntityName = typeName.left;
    while (ts.isQualifiedName(left)) left = left.left;
    const decl = checker.getSymbolAtLocation(left)?.declarations?.[0];
    return !!decl && EXPRESS.has(importSpecifierOf(decl) ?? '');
  }
  const decl = checker.getSymbolAtLocation(typeName)?.declarations?.[0];
  if (!decl || !ts.isImportSpecifier(decl)) return false;
  return (decl.propertyName ?? decl.name).text === name && EXPRESS.has(importSpecifierOf(decl) ?? '');
}
