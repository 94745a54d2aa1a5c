// The shapes of Hono code the route extractor recognises beyond Express's: `basePath(p)` (a router whose routes
// are under p), `on(methods, paths, …handlers)`, @hono/zod-openapi's `openapi(createRoute({ … }), handler)`,
// path-scoped `use('/x/*', mw)`, `factory.createHandlers(…)`, and Hono's path syntax. Apps (`new Hono()` from
// the packages below, hono/factory's `createApp()`) are told by express-syntax.ts's routerOrigin; Hono's
// `route(prefix, child)` mounts are followed by the route extractor like Express's use().
import { ts } from 'ts-morph';
import { objectLiteralOf, valueProperty } from './object-literal.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { symbolOf } from './symbols.ts';
import { unwrap } from './value-key.ts';

/** The packages whose `Hono` (or `OpenAPIHono`) class makes an app. */
export const HONO_PACKAGES: ReadonlySet<string> = new Set(['hono', 'hono/tiny', 'hono/quick', '@hono/zod-openapi']);

/** An import of Hono anywhere in the project: a text check, so that projects without Hono pay nothing more. */
export function usesHono(project: LoadedProject): boolean {
  return project.files.some((f) => /['"](?:hono|@hono\/zod-openapi)(?:\/[a-z]+)?['"]/.test(f.source.text));
}

/** `X.basePath('/a').basePath('/b')`: X, and the base paths in the order they nest. */
export function basePathChain(expr: ts.Node): { base: ts.Expression; paths: ts.Expression[] } | undefined {
  const paths: ts.Expression[] = [];
  let cur = ts.isCallExpression(expr) ? unwrap(expr) : undefined;
  while (cur && ts.isCallExpression(cur) && ts.isPropertyAccessExpression(cur.expression) && cur.expression.name.text === 'basePath' && cur.arguments.length === 1) {
    paths.unshift(cur.arguments[0]);
    cur = unwrap(cur.expression.expression);
  }
  return cur && paths.length > 0 ? { base: cur, paths } : undefined;
}

/** The prefix base paths give, joined (value undefined when one is built at run time). */
export function basePathPrefix(paths: ts.Expression[], checker: ts.TypeChecker, join: (a: string, b: string) => string): { value: string | undefined; expression: string } {
  let value: string | undefined = '';
  for (const p of paths) {
    const v = stringValue(p, checker);
    value = v === undefined || value === undefined ? undefined : join(value, honoPath(v));
  }
  return { value, expression: paths.map((p) => p.getText()).join(' + ') };
}

/** `on('PURGE', …)`, `on(['PUT', 'PATCH'], …)`: upper-case methods, or undefined when chosen at run time. */
export function onMethods(arg: ts.Expression, checker: ts.TypeChecker): string[] | undefined {
  const e = unwrap(arg);
  const values = (ts.isArrayLiteralExpression(e) ? [...e.elements] : [e]).map((el) => stringValue(el, checker)?.toUpperCase());
  return values.length > 0 && values.every((v): v is string => v !== undefined) ? values : undefined;
}

/**
 * Hono's regex constraint `:id{[0-9]+}` in the spelling the rest of the analyzer reads (Express's `:id([0-9]+)`):
 * the proxy's path rules drop the constraint, and a `{.+}` one that crosses segments becomes a wildcard; an
 * OpenAPI parameter segment (`/{id}`, @hono/zod-openapi's `createRoute()`) is `:id`. Braces stay what they are in
 * Express 5 everywhere else (optional groups), so this is done here, for Hono paths only.
 */
export function honoPath(path: string): string {
  return path.replace(/:([\w$]+)\{((?:[^{}\\]|\\.|\{[^{}]*\})*)\}/g, ':$1($2)').replace(/(^|\/)\{([\w$]+)\}(?=\/|$)/g, '$1:$2');
}

/**
 * The route @hono/zod-openapi's `app.openapi(route, handler)` declares: `createRoute({ method, path, middleware })`, in
 * place or held by a const (also one read through a namespace import, `import * as routes` … `routes.list`).
 */
export function openApiRoute(project: LoadedProject, arg: ts.Expression): { methods: string[] | undefined; method: ts.Expression; path: ts.Expression; middleware: ts.Expression[] } | undefined {
  let e = unwrap(arg);
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const decl = symbolOf(project, ts.isIdentifier(e) ? e : e.name).symbol?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer) e = unwrap(decl.initializer);
  }
  if (ts.isCallExpression(e) && /(^|\.)createRoute$/.test(e.expression.getText()) && e.arguments[0]) e = e.arguments[0];
  const obj = objectLiteralOf(project, e);
  const method = obj && valueProperty(obj, 'method');
  const path = obj && valueProperty(obj, 'path');
  if (!obj || !method || !path) return undefined;
  const mw = valueProperty(obj, 'middleware');
  const list = mw && unwrap(mw);
  const middleware = !list ? [] : ts.isArrayLiteralExpression(list) ? [...list.elements] : [list];
  return { methods: onMethods(method, project.checker), method, path, middleware };
}

/**
 * The path a `use(path, mw)` scopes its middleware to, undefined for all (`use(mw)`, `use('*', mw)`,
 * `use('/*', mw)`).
 */
export function middlewareScope(path: string): string | undefined {
  return path === '*' || path === '/*' ? undefined : honoPath(path);
}

/** Does a middleware scoped to `scope` (`/books/*`, `/books*`, `/books`) run for a route or mount at `path`? */
export function inScope(scope: string, path: string): boolean {
  const p = path.replace(/(.)\/+$/, '$1');
  if (scope.endsWith('/*')) {
    const base = scope.slice(0, -2);
    return p === (base || '/') || p.startsWith(`${base}/`);
  }
  if (scope.endsWith('*')) return p.startsWith(scope.slice(0, -1));
  return p === scope.replace(/(.)\/+$/, '$1');
}

/**
 * `app.get('/x', ...factory.createHandlers(auth, handler))` (hono/factory), directly or through a const: the
 * handlers the spread stands for. Other arguments are kept as they are.
 */
export function spreadHandlers(project: LoadedProject, args: readonly ts.Expression[]): ts.Expression[] {
  return args.flatMap((arg) => {
    if (!ts.isSpreadElement(arg)) return [arg];
    let e = unwrap(arg.expression);
    if (ts.isIdentifier(e)) {
      const decl = symbolOf(project, e).symbol?.valueDeclaration;
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer) e = unwrap(decl.initializer);
    }
    const made = ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'createHandlers' ? e : undefined;
    return made && made.arguments.length > 0 ? [...made.arguments] : [arg];
  });
}
