// The shapes of Express code the route extractor recognises: how an app or router is created, how a
// middleware is named, `route(path).<verb>()` chains, calls that hand the app to a function, and how
// mount prefixes join. Syntax only, plus symbol resolution where a call's target is needed.
import { ts } from 'ts-morph';
import { functionName, isFunctionLike } from './functions.ts';
import type { LoadedProject } from './project.ts';
import { codeTargetOf, resolveReference } from './symbols.ts';
import { exportedValue, requiredFile, unwrap } from './value-key.ts';

export const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all']);

/** How a router-like value was made: `express()`, `express.Router()` / `Router()`, or something else. */
export type RouterInit = 'app' | 'router' | 'other';

export function initKind(decl: ts.Node): RouterInit {
  if (!ts.isVariableDeclaration(decl) && !ts.isPropertyDeclaration(decl) && !ts.isPropertyAssignment(decl)) return 'other';
  const init = decl.initializer && unwrap(decl.initializer);
  if (!init || !(ts.isCallExpression(init) || ts.isNewExpression(init))) return 'other';
  const callee = init.expression.getText().replace(/\s+/g, '');
  if (/(^|\.)Router$/.test(callee) || /^require\(['"]express['"]\)\.Router$/.test(callee)) return 'router';
  if (/^express$/.test(callee) || /^require\(['"]express['"]\)$/.test(callee)) return 'app';
  return 'other';
}

export function exprName(expr: ts.Expression): string {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.getText().replace(/\s+/g, '');
  if (ts.isCallExpression(e)) return exprName(e.expression);
  if (isFunctionLike(e)) return functionName(e) ?? '<anonymous>';
  const text = e.getText();
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export function calleeName(call: ts.CallExpression): ts.Node | undefined {
  const c = call.expression;
  return ts.isIdentifier(c) ? c : ts.isPropertyAccessExpression(c) ? c.name : undefined;
}

/** The function a call invokes, when it is in the project (`register(app)`, `require('./routes')(app)`). */
export function calledFunction(project: LoadedProject, call: ts.CallExpression): ts.Node | undefined {
  const callee = unwrap(call.expression);
  if (ts.isCallExpression(callee)) {
    const file = requiredFile(project, callee);
    const value = file && exportedValue(file);
    if (!value) return undefined;
    const v = unwrap(value);
    if (isFunctionLike(v)) return v;
    const ref = ts.isIdentifier(v) ? resolveReference(project, v) : undefined;
    return ref?.kind === 'project' ? ref.target.decl : undefined;
  }
  const name = calleeName(call);
  const target = name ? resolveReference(project, name) : undefined;
  if (target?.kind !== 'project') return undefined;
  const decl = target.target.decl;
  return isFunctionLike(decl) ? decl : codeTargetOf(project, decl)?.decl;
}

/** `X.route(path).get(...).post(...)`: the router X and the path, when `receiver` is such a chain. */
export function routeChainBase(receiver: ts.Expression): { receiver: ts.Expression; path: ts.Expression } | undefined {
  let cur = receiver;
  while (ts.isCallExpression(cur) && ts.isPropertyAccessExpression(cur.expression)) {
    const name = cur.expression.name.text;
    if (name === 'route' && cur.arguments.length === 1) return { receiver: cur.expression.expression, path: cur.arguments[0] };
    if (!VERBS.has(name)) return undefined;
    cur = cur.expression.expression;
  }
  return undefined;
}

export function joinPath(prefix: string, path: string): string {
  const a = prefix.replace(/\/+$/, '');
  let b = path === '' || path.startsWith('/') ? path : `/${path}`;
  if (b === '/') b = '';
  const joined = a + b;
  return joined === '' ? '/' : joined;
}
