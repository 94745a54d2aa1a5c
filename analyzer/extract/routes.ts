// HTTP entry points of Express apps: app/router.<verb>(path, ...handlers), route(path).<verb>() chains,
// and use(prefix, router) mounts followed across files (and through functions that receive the app)
// to the full path. Routers are identified by their declaration, through the type checker.
import { ts } from 'ts-morph';
import { routeTable, type RouterNode } from './route-tree.ts';
import { calledFunction, calleeName, exprName, initKind, routeChainBase, VERBS } from './express-syntax.ts';
import { isFunctionLike, lineOf, ownFunctionName } from './functions.ts';
import { guarded } from './guard.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { fileOf, resolveReference, symbolOf } from './symbols.ts';
import { unwrap, valueKey } from './value-key.ts';
import type { HandlerRef, RouteFact, UnresolvedRoute, Warning } from './types.ts';

export interface RouteResult {
  routes: RouteFact[];
  unresolved: UnresolvedRoute[];
  warnings: Warning[];
}

export function extractRoutes(project: LoadedProject): RouteResult {
  const nodes = new Map<ts.Node, RouterNode>();
  const warnings: Warning[] = [];
  /** calls that pass an identifier along: candidates for "function receives the app" */
  const passing: ts.CallExpression[] = [];

  const nodeFor = (key: ts.Node): RouterNode | undefined => {
    let node = nodes.get(key);
    if (node) return node;
    const file = fileOf(project, key);
    if (!file) return undefined;
    const named = (key as ts.NamedDeclaration).name;
    node = { key, name: named ? named.getText() : exprName(key as ts.Expression), file, init: initKind(key), routes: [], mounts: [], children: [], middleware: [], mountedBy: 0 };
    nodes.set(key, node);
    return node;
  };

  const routerKey = (expr: ts.Expression): ts.Node | undefined => valueKey(project, expr);

  const handlerRef = (arg: ts.Expression, source: ts.SourceFile): HandlerRef => {
    const e = unwrap(arg);
    if (isFunctionLike(e)) return { kind: 'inline', file: fileOf(project, e)?.rel, name: ownFunctionName(e, source), line: lineOf(e, source) };
    if (ts.isCallExpression(e)) {
      // this.list.bind(this): the handler is the bound function
      const callee = e.expression;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'bind') return handlerRef(callee.expression, source);
      // asyncHandler(async (req, res) => …): the code that handles the request is the inline function
      const inline = e.arguments.find((a) => isFunctionLike(unwrap(a)));
      if (inline) return handlerRef(inline, source);
    }
    const ref = ts.isIdentifier(e) ? e : ts.isPropertyAccessExpression(e) ? e.name : ts.isCallExpression(e) ? calleeName(e) : undefined;
    const target = ref ? resolveReference(project, ref) : undefined;
    if (target?.kind === 'project') {
      const t = target.target;
      return { kind: ts.isCallExpression(e) ? 'factory' : 'named', file: t.file.rel, name: t.name, line: t.line };
    }
    return { kind: 'unresolved', name: exprName(e) };
  };

  /** Is this argument plausibly a request handler (and not, say, axios.post's body)? */
  const plausibleHandler = (arg: ts.Expression): boolean => {
    const e = unwrap(arg);
    if (isFunctionLike(e) || ts.isCallExpression(e)) return true;
    if (!(ts.isIdentifier(e) || ts.isPropertyAccessExpression(e))) return false;
    const { symbol } = symbolOf(project, ts.isIdentifier(e) ? e : e.name);
    const decl = symbol?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer) {
      const init = unwrap(decl.initializer);
      return !(ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init) || ts.isLiteralExpression(init) || ts.isTemplateExpression(init));
    }
    return true;
  };

  const pathsOf = (arg: ts.Expression): { paths?: string[]; reason: string } => {
    const e = unwrap(arg);
    if (ts.isArrayLiteralExpression(e)) {
      const paths: string[] = [];
      for (const el of e.elements) {
        const v = stringValue(el, project.checker);
        if (v === undefined) return { reason: ts.isRegularExpressionLiteral(el) ? 'regular expression path' : 'path built at run time' };
        paths.push(v);
      }
      return { paths, reason: '' };
    }
    if (ts.isRegularExpressionLiteral(e)) return { reason: 'regular expression path' };
    const v = stringValue(e, project.checker);
    return v === undefined ? { reason: 'path built at run time' } : { paths: [v], reason: '' };
  };

  const addRoute = (file: LoadedFile, call: ts.CallExpression, method: string, receiver: ts.Expression, pathArg: ts.Expression, handlers: readonly ts.Expression[]): void => {
    if (handlers.length === 0) return;
    const source = file.source;
    const last = handlers[handlers.length - 1];
    const key = routerKey(receiver);
    const node = key && nodeFor(key);
    const { paths, reason } = pathsOf(pathArg);
    const looksLikePath = !!paths && paths.every((p) => p.startsWith('/') || p === '*');
    if (!node) {
      if (looksLikePath && isFunctionLike(unwrap(last)) && /app|router|route|api|server/i.test(receiver.getText())) {
        warnings.push({ file: file.rel, message: `${file.rel}:${lineOf(call, source)}: route ${method} ${paths?.join(',')} registered on '${receiver.getText()}', which could not be traced to an app or router; not reported` });
      }
      return;
    }
    if (node.init === 'other' && !(looksLikePath && plausibleHandler(last)) && !(paths === undefined && isFunctionLike(unwrap(last)))) return;
    const middleware = handlers.slice(0, -1).flatMap((h) => {
      const u = unwrap(h);
      return ts.isArrayLiteralExpression(u) ? u.elements.map(exprName) : [exprName(u)];
    });
    node.routes.push({
      // the verb's own line: in a route(...).get().post() chain each verb sits on its own line
      method, paths, reason, expression: pathArg.getText(), file, line: lineOf(ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call, source), pos: call.getStart(source),
      middleware, handler: handlerRef(last, source),
    });
  };

  /** `router[method](path, handler)`: a literal method is a route; one chosen at run time is unresolved. */
  const addComputedVerb = (file: LoadedFile, call: ts.CallExpression, callee: ts.ElementAccessExpression): void => {
    const verb = stringValue(callee.argumentExpression, project.checker)?.toLowerCase();
    if (verb !== undefined) {
      if (VERBS.has(verb)) addRoute(file, call, verb.toUpperCase(), callee.expression, call.arguments[0], call.arguments.slice(1));
      return;
    }
    const key = routerKey(callee.expression);
    const node = key && nodeFor(key);
    if (!node || node.init === 'other') return;
    const source = file.source;
    node.routes.push({
      method: '*', paths: undefined, reason: 'method chosen at run time', expression: `${callee.getText(source)}(${call.arguments[0].getText(source)}, …)`,
      file, line: lineOf(call, source), pos: call.getStart(source), middleware: [], handler: handlerRef(call.arguments[call.arguments.length - 1], source),
    });
  };

  const addUse = (file: LoadedFile, call: ts.CallExpression, receiver: ts.Expression): void => {
    const key = routerKey(receiver);
    const node = key && nodeFor(key);
    if (!node) return;
    const args = call.arguments;
    const first = unwrap(args[0]);
    let prefixes: string[] | undefined = ['/'];
    let rest: ts.Expression[] = [...args];
    const firstIsPath = ts.isStringLiteralLike(first) || ts.isTemplateExpression(first) || ts.isArrayLiteralExpression(first) && first.elements.every((el) => !isFunctionLike(el)) ||
      ts.isBinaryExpression(first) || ts.isRegularExpressionLiteral(first) || stringValue(first, project.checker) !== undefined;
    if (firstIsPath) {
      prefixes = pathsOf(first).paths;
      rest = args.slice(1);
    }
    const flat = rest.flatMap((a) => {
      const u = unwrap(a);
      return ts.isArrayLiteralExpression(u) ? [...u.elements] : [u];
    });
    node.mounts.push({ prefixes, expression: args[0].getText(), args: flat, file, line: lineOf(call, file.source), pos: call.getStart(file.source) });
  };

  // Pass 1: every registration, per file.
  for (const file of project.files) {
    guarded(file, warnings, 'routes', () => visitFile(file));
  }
  function visitFile(file: LoadedFile): void {
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const callee = n.expression;
        if (ts.isPropertyAccessExpression(callee)) {
          const verb = callee.name.text;
          const receiver = callee.expression;
          if (VERBS.has(verb)) {
            const chainBase = routeChainBase(receiver);
            if (chainBase) addRoute(file, n, verb.toUpperCase(), chainBase.receiver, chainBase.path, n.arguments);
            else if (n.arguments.length >= 2) addRoute(file, n, verb.toUpperCase(), receiver, n.arguments[0], n.arguments.slice(1));
          } else if (verb === 'use' && n.arguments.length >= 1) {
            addUse(file, n, receiver);
          }
        } else if (ts.isElementAccessExpression(callee) && n.arguments.length >= 2) {
          addComputedVerb(file, n, callee);
        }
        if (n.arguments.some((a) => ts.isIdentifier(a) || ts.isPropertyAccessExpression(a))) passing.push(n);
      }
      ts.forEachChild(n, visit);
    };
    visit(file.source);
  }

  // Pass 2: classify use() arguments into child routers and middleware.
  const isRouter = (node: RouterNode | undefined): node is RouterNode =>
    !!node && (node.init !== 'other' || node.routes.length > 0 || node.mounts.length > 0);
  for (const node of [...nodes.values()]) {
    for (const mount of node.mounts) {
      const middleware: string[] = [];
      let mountedRouter = false;
      for (const arg of mount.args) {
        const key = routerKey(arg);
        const child = key ? nodes.get(key) : undefined;
        if (isRouter(child) && child !== node) {
          node.children.push({ node: child, prefixes: mount.prefixes, expression: mount.expression, middleware: [...middleware], file: mount.file, line: mount.line, pos: mount.pos });
          child.mountedBy++;
          mountedRouter = true;
        } else {
          middleware.push(exprName(arg));
        }
      }
      if (!mountedRouter && mount.prefixes?.length === 1 && mount.prefixes[0] === '/') {
        for (const name of middleware) node.middleware.push({ file: mount.file, pos: mount.pos, name });
      }
    }
  }

  // Pass 3: routers that are parameters (`function register(app) { app.get(...) }`) are the argument
  // passed at each call site of their function.
  const paramNodes = [...nodes.values()].filter((n) => ts.isParameter(n.key) && (n.routes.length > 0 || n.children.length > 0));
  if (paramNodes.length > 0) {
    const byFunction = new Map<ts.Node, RouterNode[]>();
    for (const p of paramNodes) byFunction.set(p.key.parent, [...(byFunction.get(p.key.parent) ?? []), p]);
    for (const call of passing) {
      const fn = calledFunction(project, call);
      const params = fn && byFunction.get(fn);
      if (!params) continue;
      for (const p of params) {
        const index = (fn as ts.SignatureDeclaration).parameters.indexOf(p.key as ts.ParameterDeclaration);
        const arg = call.arguments[index];
        const key = arg && routerKey(arg);
        const parent = key && nodeFor(key);
        if (!parent || parent === p) continue;
        const file = fileOf(project, call)!;
        parent.children.push({ node: p, prefixes: ['/'], expression: arg.getText(), middleware: [], file, line: lineOf(call, file.source), pos: call.getStart(file.source) });
        p.mountedBy++;
      }
    }
  }

  return { ...routeTable(nodes.values(), warnings), warnings };
}
