// Hono's registrations that Express has no counterpart for: `on()` and @hono/zod-openapi's `openapi()` routes,
// `route(prefix, app)` mounts, path-scoped `use()`, `doc()` routes, and warnings for what registers nothing the
// proxy can route. routes.ts calls them while it reads each file (pass 1), with the router bookkeeping of
// router-registry.ts and the `<verb>()` reader of express-routes.ts.
import { ts } from 'ts-morph';
import { exprName } from './express-syntax.ts';
import { honoPath, middlewareScope, onMethods, openApiRoute } from './hono-syntax.ts';
import { lineOf } from './functions.ts';
import { objectLiteralOf } from './object-literal.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { handlerRef, pathsOf } from './route-args.ts';
import type { Iteration } from './mount-loops.ts';
import type { RouterNode } from './route-tree.ts';
import { stringValue } from './string-value.ts';
import type { Warning } from './types.ts';
import { unwrap } from './value-key.ts';

/** What routes.ts lends the Hono registrations. */
export interface RouteRegistrar {
  project: LoadedProject;
  warnings: Warning[];
  /** the router a receiver is, when it is one */
  routerOf(receiver: ts.Expression): RouterNode | undefined;
  /** an ordinary `<verb>(path, …handlers)` registration on the receiver */
  addRoute(file: LoadedFile, call: ts.CallExpression, method: string, receiver: ts.Expression, pathArg: ts.Expression, handlers: readonly ts.Expression[]): void;
}

export function honoRegistrations({ project, warnings, routerOf, addRoute }: RouteRegistrar) {
  return {
    /**
     * Hono's `on('PURGE' | ['PUT', 'PATCH'], path | [paths], ...handlers)`: a route per method; and
     * @hono/zod-openapi's `openapi(createRoute({ method, path, middleware }), handler)`.
     */
    on(file: LoadedFile, call: ts.CallExpression, receiver: ts.Expression, openapi: boolean): void {
      const node = routerOf(receiver);
      if (!node?.hono) return;
      const declared = openapi ? openApiRoute(project, call.arguments[0]) : undefined;
      if (!declared && call.arguments.length < 3) return;
      const [methodArg, pathArg, ...handlers] = declared ? [declared.method, declared.path, ...declared.middleware, call.arguments[1]] : call.arguments;
      const methods = declared ? declared.methods : onMethods(methodArg, project.checker);
      if (methods) {
        for (const method of methods) addRoute(file, call, method, receiver, pathArg, handlers);
        return;
      }
      const source = file.source;
      node.routes.push({
        method: '*', paths: undefined, reason: 'method chosen at run time', expression: methodArg.getText(source), file, line: lineOf(methodName(call), source),
        pos: namePos(call, source), middleware: [], handler: handlerRef(project, handlers[handlers.length - 1], source),
      });
    },

    /**
     * Hono's `app.route('/books', books)`: every route of books (and of what it mounts) under /books; resolved in pass 2,
     * where a prefix and an app a loop gives are read at each element. `at`: the element of a loop over the apps that mount.
     */
    mount(file: LoadedFile, call: ts.CallExpression, receiver: ts.Expression, at?: Iteration): void {
      const node = routerOf(receiver);
      if (!node?.hono) return;
      const [prefix, child] = call.arguments;
      const source = file.source;
      node.mounts.push({
        prefixes: pathsOf(project, prefix).paths?.map(honoPath), expression: prefix.getText(source), prefixArg: prefix, args: [child], file, line: lineOf(methodName(call), source),
        pos: namePos(call, source), hono: true, ...(at ? { at } : {}),
      });
    },

    /** Hono's `use(mw)`, `use('/books/*', mw, …)`: middleware of the routes and mounts registered after it under its path. */
    use(node: RouterNode, file: LoadedFile, call: ts.CallExpression): void {
      const args = call.arguments;
      const path = stringValue(args[0], project.checker);
      // a path built at run time: which routes the middleware runs for is not known
      if (path === undefined && (ts.isStringLiteralLike(unwrap(args[0])) || ts.isTemplateExpression(unwrap(args[0])) || ts.isBinaryExpression(unwrap(args[0])))) return;
      const scope = path === undefined ? undefined : middlewareScope(path);
      const pos = namePos(call, file.source);
      const added = (path === undefined ? args : args.slice(1)).map((m) => ({ file, pos, name: exprName(m), ...(scope === undefined ? {} : { path: scope }) }));
      // in written order: a chain's calls are visited outermost (last written) first
      const at = node.middleware.findIndex((m) => m.file === file && m.pos > pos);
      node.middleware.splice(at === -1 ? node.middleware.length : at, 0, ...added);
    },

    /** @hono/zod-openapi's `app.doc('/doc', { openapi, info })` (and `doc31`): a GET route serving the OpenAPI document. */
    doc(file: LoadedFile, call: ts.CallExpression, receiver: ts.Expression): void {
      const { paths, reason } = pathsOf(project, call.arguments[0]);
      if (!paths?.every((p) => p.startsWith('/')) || !objectLiteralOf(project, call.arguments[1])) return;
      const node = routerOf(receiver);
      if (!node) return;
      const source = file.source;
      node.routes.push({
        method: 'GET', paths: paths.map(honoPath), reason, expression: call.arguments[0].getText(source), file, line: lineOf(methodName(call), source),
        pos: namePos(call, source), middleware: [], handler: { kind: 'unresolved', name: call.expression.getText(source).replace(/\s+/g, '') },
      });
    },

    /** Hono calls that register nothing the proxy can route: warned about, on a Hono app only. */
    warn(file: LoadedFile, call: ts.CallExpression, receiver: ts.Expression, what: (line: number) => string): void {
      if (routerOf(receiver)?.hono) warnings.push({ file: file.rel, message: `${file.rel}:${what(lineOf(methodName(call), file.source))}` });
    },
  };
}

/** Where a call's method name is (`.get` in `app.use(a).get(…)`): chained calls, which all start where the chain does, keep their order. */
export function namePos(call: ts.CallExpression, source: ts.SourceFile): number {
  return methodName(call).getStart(source);
}

function methodName(call: ts.CallExpression): ts.Node {
  return ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call;
}
