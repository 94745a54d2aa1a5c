// Pages-router handlers that dispatch on the method themselves, so the methods are read from how the dispatch
// is written, not from `req.method` checks: a method table given to a helper (`defaultHandler({ GET: import('./_get'),
// POST: … })`, as cal.com writes it) and next-connect routers (`nextConnect().use(mw).get(h)`,
// `createRouter().get(h).handler()`, a `router` const with `router.get(h)` statements).
import { ts } from 'ts-morph';
import { exprName } from './express-syntax.ts';
import { isFunctionLike } from './functions.ts';
import { HTTP_METHODS } from './next-methods.ts';
import type { LoadedProject } from './project.ts';
import { resolveReference } from './symbols.ts';
import { functionResult, unwrap } from './value-key.ts';

/** One method a dispatch serves: the node it is declared at, the value that handles it, wrappers named on the way. */
export interface DispatchEntry {
  method: string;
  node: ts.Node;
  value: ts.Expression;
  middleware: string[];
}

/** Wrapper calls followed from an export to the dispatch inside them. */
const MAX_DEPTH = 4;

/** `{ GET: h, post: h2 }`: an object literal whose keys are all HTTP methods (in any case). */
export function methodTable(expr: ts.Expression): DispatchEntry[] | undefined {
  const e = unwrap(expr);
  if (!ts.isObjectLiteralExpression(e) || e.properties.length === 0) return undefined;
  const out: DispatchEntry[] = [];
  for (const p of e.properties) {
    const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text.toUpperCase() : undefined;
    if (!key || !HTTP_METHODS.has(key)) return undefined;
    if (ts.isPropertyAssignment(p)) out.push({ method: key, node: p, value: p.initializer, middleware: [] });
    else if (ts.isShorthandPropertyAssignment(p)) out.push({ method: key, node: p, value: p.name, middleware: [] });
    else return undefined;
  }
  return out;
}

/**
 * The method table an exported expression dispatches through: an argument of the exported call, through wrappers
 * (`withMiddleware()(defaultHandler({ … }))`: withMiddleware is middleware, the dispatcher is not).
 */
export function exportedTable(exported: ts.Expression): DispatchEntry[] | undefined {
  return tableInCall(exported, [], 0);
}

/** The method table a handler forwards the request to: `return defaultHandler({ … })(req, res)` in its body. */
export function forwardedTable(fn: ts.SignatureDeclaration): DispatchEntry[] | undefined {
  const body = (fn as ts.FunctionLikeDeclaration).body;
  let found: DispatchEntry[] | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && ts.isCallExpression(unwrap(n.expression))) {
      for (const a of (unwrap(n.expression) as ts.CallExpression).arguments) found ??= methodTable(a);
      if (found) return;
    }
    ts.forEachChild(n, visit);
  };
  if (body) visit(body);
  return found;
}

function tableInCall(expr: ts.Expression, wrappers: string[], depth: number): DispatchEntry[] | undefined {
  const e = unwrap(expr);
  if (!ts.isCallExpression(e) || depth > MAX_DEPTH) return undefined;
  for (const a of e.arguments) {
    const table = methodTable(a);
    if (table) return table.map((t) => ({ ...t, middleware: wrappers }));
  }
  for (const a of e.arguments) {
    const inner = tableInCall(a, [...wrappers, exprName(e.expression)], depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

/** `Promise.resolve({ default: h })` (a table entry written as an already loaded module): the h. */
export function resolvedModuleDefault(expr: ts.Expression): ts.Expression | undefined {
  const e = unwrap(expr);
  if (!ts.isCallExpression(e) || exprName(e.expression) !== 'Promise.resolve' || e.arguments.length !== 1) return undefined;
  const arg = unwrap(e.arguments[0]);
  if (!ts.isObjectLiteralExpression(arg)) return undefined;
  const prop = arg.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'default');
  return prop && ts.isPropertyAssignment(prop) ? prop.initializer : undefined;
}

/** `import('./_get')`: the specifier. */
export function dynamicImport(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  if (!ts.isCallExpression(e) || e.expression.kind !== ts.SyntaxKind.ImportKeyword) return undefined;
  const arg = e.arguments[0];
  return arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
}

const CONNECT_VERBS = new Map([...[...HTTP_METHODS].map((m) => [m.toLowerCase(), m] as const), ['all', 'ALL']]);

/**
 * The routes of a next-connect router a pages file exports: each `.get(…)`, `.post(…)`, … (`.all()`: ALL) on the
 * chain the export ends in, or on the router const it names and the statements that call it; `.use(mw)` before a
 * verb, and the arguments before a verb's last, are its middleware. The router is made by next-connect's factory
 * or by a project function returning one (`export default function getHandler() { return nextConnect({ onError }) }`).
 * undefined when the export is no such router.
 */
export function connectRoutes(project: LoadedProject, source: ts.SourceFile, exported: ts.Expression): DispatchEntry[] | undefined {
  const top = chainOf(exported);
  let calls: ChainCall[];
  const made = routerMade(project, top.base, 0);
  if (made) {
    calls = [...made, ...top.calls];
  } else {
    if (!ts.isIdentifier(top.base)) return undefined;
    const router = project.checker.getSymbolAtLocation(top.base);
    const decl = router?.valueDeclaration;
    if (!router || !decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
    const init = chainOf(decl.initializer);
    const base = routerMade(project, init.base, 0);
    if (!base) return undefined;
    // the router's own chain, then every statement calling it, in file order (the export among them)
    calls = [...base, ...init.calls];
    for (const s of source.statements) {
      const expr = ts.isExpressionStatement(s) ? s.expression : ts.isExportAssignment(s) ? s.expression : undefined;
      if (!expr) continue;
      const chain = chainOf(expr);
      if (ts.isIdentifier(chain.base) && project.checker.getSymbolAtLocation(chain.base) === router) calls.push(...chain.calls);
    }
  }
  const out: DispatchEntry[] = [];
  const used: string[] = [];
  for (const call of calls) {
    const args = call.arguments.filter((a) => !ts.isStringLiteralLike(unwrap(a)));
    if (call.name === 'use') {
      used.push(...args.map((a) => exprName(a)));
      continue;
    }
    const method = CONNECT_VERBS.get(call.name);
    if (!method || args.length === 0) continue;
    out.push({ method, node: call.node.expression.name, value: args[args.length - 1], middleware: [...used, ...args.slice(0, -1).map((a) => exprName(a))] });
  }
  return out.length > 0 ? out : undefined;
}

/**
 * Is an expression a new next-connect router: a call of next-connect's factory, or of a project function returning
 * one (one level: the function's own chain, or the const it returns)? The calls already made on it, `.use()` ones.
 */
function routerMade(project: LoadedProject, expr: ts.Expression, depth: number): ChainCall[] | undefined {
  const e = unwrap(expr);
  if (!ts.isCallExpression(e)) return undefined;
  const callee = unwrap(e.expression);
  if (!ts.isIdentifier(callee)) return undefined;
  if (connectImports(e.getSourceFile()).has(callee.text)) return [];
  if (depth > 0) return undefined;
  const target = resolveReference(project, callee);
  if (target.kind !== 'project') return undefined;
  const decl = target.target.decl;
  const init = ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
  const fn = isFunctionLike(decl) ? decl : init && isFunctionLike(init) ? init : undefined;
  if (!fn) return undefined;
  return functionResult(fn, (returned) => {
    const chain = chainOf(returned);
    let base = routerMade(project, chain.base, depth + 1);
    if (!base && ts.isIdentifier(chain.base)) {
      // `const handler = nextConnect({ … }); …; return handler`
      const local = project.checker.getSymbolAtLocation(chain.base)?.valueDeclaration;
      if (local && ts.isVariableDeclaration(local) && local.initializer) {
        const own = chainOf(local.initializer);
        const made = routerMade(project, own.base, depth + 1);
        if (made) base = [...made, ...own.calls];
      }
    }
    return base && [...base, ...chain.calls].filter((c) => c.name === 'use');
  });
}

/** Local names a file imports next-connect's router factory under (`import nc from 'next-connect'`, `{ createRouter }`). */
function connectImports(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const s of source.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier) || s.moduleSpecifier.text !== 'next-connect' || !s.importClause || s.importClause.isTypeOnly) continue;
    if (s.importClause.name) names.add(s.importClause.name.text);
    const bindings = s.importClause.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const el of bindings.elements) if ((el.propertyName ?? el.name).text === 'createRouter') names.add(el.name.text);
    }
  }
  return names;
}

interface ChainCall {
  name: string;
  arguments: readonly ts.Expression[];
  node: ts.CallExpression & { expression: ts.PropertyAccessExpression };
}

/** `base.a(…).b(…)`: the base and the member calls on it, first call first. */
function chainOf(expr: ts.Expression): { base: ts.Expression; calls: ChainCall[] } {
  const calls: ChainCall[] = [];
  let e = unwrap(expr);
  while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
    calls.unshift({ name: e.expression.name.text, arguments: e.arguments, node: e as ChainCall['node'] });
    e = unwrap(e.expression.expression);
  }
  return { base: e, calls };
}
