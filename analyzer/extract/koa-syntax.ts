// The shapes of koa-router (@koa/router) code the route extractor recognises beyond Express's: a router's
// prefix (`new Router({ prefix })`, `router.prefix(p)`), named routes (`router.get('name', '/path', h)`),
// and routers mounted as middleware (`app.use(router.routes())`; `allowedMethods()` answers OPTIONS and
// 405s for the router's paths, it is not a route and not a middleware a route runs).
import { ts } from 'ts-morph';
import type { RouterOrigin } from './express-syntax.ts';
import { hasSpread, objectLiteralOf, valueProperty } from './object-literal.ts';
import type { LoadedProject } from './project.ts';
import type { RouterNode } from './route-tree.ts';
import { stringValue } from './string-value.ts';
import { unwrap } from './value-key.ts';

/**
 * The prefix a router is constructed with. koa-router options that cannot be read statically may hold one
 * (undefined value: the routes are reported as under a prefix built at run time); other routers' options
 * (express.Router's) are only looked at for a literal `prefix`.
 */
export function constructorPrefix(project: LoadedProject, origin: RouterOrigin): RouterNode['prefix'] {
  const options = origin.koaOptions ?? origin.options;
  if (!options) return undefined;
  const obj = objectLiteralOf(project, options);
  const strict = origin.koaOptions !== undefined;
  if (!obj) return strict ? { value: undefined, expression: options.getText() } : undefined;
  const prefix = valueProperty(obj, 'prefix');
  if (!prefix) return strict && hasSpread(obj) ? { value: undefined, expression: options.getText() } : undefined;
  return prefixOf(project, prefix);
}

/** `router.prefix('/x')` */
export function prefixOf(project: LoadedProject, arg: ts.Expression): RouterNode['prefix'] {
  return { value: stringValue(arg, project.checker), expression: arg.getText() };
}

/**
 * koa-router's named routes: `router.get('book', '/books/:id', …)` — the first argument is a name when the
 * second is a path (a string or a regular expression). Express never passes a string there.
 */
export function isNamedRoute(args: readonly ts.Expression[], checker: ts.TypeChecker): boolean {
  if (args.length < 3 || !ts.isStringLiteralLike(unwrap(args[0]))) return false;
  const second = unwrap(args[1]);
  return ts.isRegularExpressionLiteral(second) || stringValue(second, checker) !== undefined;
}

/** `x.routes()` / `x.middleware()` → x (a router used as middleware); `x.allowedMethods()` → 'allowedMethods'. */
export function routerMiddleware(arg: ts.Expression): { router: ts.Expression; kind: 'routes' | 'allowedMethods' } | undefined {
  const e = unwrap(arg);
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return undefined;
  const name = e.expression.name.text;
  if ((name === 'routes' || name === 'middleware') && e.arguments.length === 0) return { router: e.expression.expression, kind: 'routes' };
  if (name === 'allowedMethods') return { router: e.expression.expression, kind: 'allowedMethods' };
  return undefined;
}
