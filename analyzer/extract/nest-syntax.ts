// The shapes of NestJS code the route extractor recognises, without @nestjs installed: decorators and
// helpers by the name they are exported under from '@nestjs/common' or '@nestjs/core' (aliases and
// namespace imports followed), and the static values their arguments hold (paths, versions, class lists).
import { ts } from 'ts-morph';
import { exprName } from './express-syntax.ts';
import { stringValue } from './string-value.ts';
import { unwrap } from './value-key.ts';

const MAX_DEPTH = 5;
/** the package each recognised name must come from; anything else is '@nestjs/common' */
const CORE_NAMES = new Set(['NestFactory', 'RouterModule']);

export const HTTP_DECORATORS: ReadonlyMap<string, string> = new Map([
  ['Get', 'GET'], ['Post', 'POST'], ['Put', 'PUT'], ['Patch', 'PATCH'], ['Delete', 'DELETE'], ['Options', 'OPTIONS'], ['Head', 'HEAD'], ['All', 'ALL'],
]);
/** what runs before a handler, in the order Nest runs it: guards, then interceptors, then pipes */
export const MIDDLEWARE_DECORATORS = ['UseGuards', 'UseInterceptors', 'UsePipes'] as const;

/** Does the file import anything from a @nestjs/ package? Files that do not are not read at all. */
export function importsNest(source: ts.SourceFile): boolean {
  return source.statements.some((s) => ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && s.moduleSpecifier.text.startsWith('@nestjs/'));
}

function packageOf(decl: ts.ImportDeclaration | ts.JSDocImportTag): string | undefined {
  return ts.isStringLiteral(decl.moduleSpecifier) ? decl.moduleSpecifier.text : undefined;
}

/**
 * The Nest export an expression names (`Get`, `HttpGet` for `import { Get as HttpGet }`, `common.Get` for
 * `import * as common`), or undefined when it is not imported from the package that exports that name.
 */
export function nestName(expr: ts.Expression, checker: ts.TypeChecker): string | undefined {
  let name: string;
  let pkg: string | undefined;
  if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression)) {
    const decl = checker.getSymbolAtLocation(expr.expression)?.declarations?.[0];
    if (!decl || !ts.isNamespaceImport(decl)) return undefined;
    name = expr.name.text;
    pkg = packageOf(decl.parent.parent);
  } else if (ts.isIdentifier(expr)) {
    const decl = checker.getSymbolAtLocation(expr)?.declarations?.[0];
    if (!decl || !ts.isImportSpecifier(decl)) return undefined;
    name = (decl.propertyName ?? decl.name).text;
    pkg = packageOf(decl.parent.parent.parent);
  } else {
    return undefined;
  }
  return pkg === (CORE_NAMES.has(name) ? '@nestjs/core' : '@nestjs/common') ? name : undefined;
}

export interface NestDecorator {
  name: string;
  node: ts.Decorator;
  args: readonly ts.Expression[];
}

/** The Nest decorators on a class or member, in source order. */
export function nestDecorators(node: ts.Node, checker: ts.TypeChecker): NestDecorator[] {
  const out: NestDecorator[] = [];
  for (const d of (ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined) ?? []) {
    const e = d.expression;
    const callee = ts.isCallExpression(e) ? e.expression : e;
    const name = nestName(callee, checker);
    if (name) out.push({ name, node: d, args: ts.isCallExpression(e) ? e.arguments : [] });
  }
  return out;
}

/** `const X = <init>` (or an object property) that a reference stands for: its initializer. */
function constInitializer(expr: ts.Expression, checker: ts.TypeChecker): ts.Expression | undefined {
  if (!ts.isIdentifier(expr) && !ts.isPropertyAccessExpression(expr)) return undefined;
  let symbol = checker.getSymbolAtLocation(ts.isIdentifier(expr) ? expr : expr.name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol?.valueDeclaration;
  if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) return decl.initializer;
  if (decl && ts.isPropertyAssignment(decl)) return decl.initializer;
  return undefined;
}

/** An object literal, written in place or held by a constant. */
export function objectLiteral(expr: ts.Expression | undefined, checker: ts.TypeChecker, depth = 0): ts.ObjectLiteralExpression | undefined {
  if (!expr || depth > MAX_DEPTH) return undefined;
  const e = unwrap(expr);
  if (ts.isObjectLiteralExpression(e)) return e;
  const init = constInitializer(e, checker);
  return init && objectLiteral(init, checker, depth + 1);
}

/** The value of `name: value` (or shorthand `name`) in an object literal. */
export function property(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) || p.name.text !== name) continue;
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return p.name;
  }
  return undefined;
}

/** The elements of an array literal, spreads of constant arrays flattened; undefined when not static. */
export function arrayElements(expr: ts.Expression, checker: ts.TypeChecker, depth = 0): ts.Expression[] | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const e = unwrap(expr);
  if (ts.isArrayLiteralExpression(e)) {
    const out: ts.Expression[] = [];
    for (const el of e.elements) {
      if (ts.isSpreadElement(el)) {
        const inner = arrayElements(el.expression, checker, depth + 1);
        if (!inner) return undefined;
        out.push(...inner);
      } else {
        out.push(el);
      }
    }
    return out;
  }
  const init = constInitializer(e, checker);
  return init && arrayElements(init, checker, depth + 1);
}

/** A path argument: one string or an array of them (`'books'`, `['authors', 'writers']`, constants). */
export function stringList(expr: ts.Expression, checker: ts.TypeChecker): string[] | undefined {
  const single = stringValue(unwrap(expr), checker);
  if (single !== undefined) return [single];
  const elements = arrayElements(expr, checker);
  if (!elements) return undefined;
  const out: string[] = [];
  for (const el of elements) {
    const v = stringValue(unwrap(el), checker);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

/** A version value (`'1'`, `['1', '2']`, `VERSION_NEUTRAL`): the versions, '' standing for neutral (no URI segment). */
export function versionList(expr: ts.Expression, checker: ts.TypeChecker): string[] | undefined {
  const one = (e: ts.Expression): string | undefined => (nestName(unwrap(e), checker) === 'VERSION_NEUTRAL' ? '' : stringValue(unwrap(e), checker));
  const single = one(expr);
  if (single !== undefined) return [single];
  const elements = arrayElements(expr, checker);
  const out = elements?.map(one);
  return out && out.every((v) => v !== undefined) ? (out as string[]) : undefined;
}

/** The member name of `Enum.MEMBER` when the enum is the Nest export `enumName` (`RequestMethod.GET` → 'GET'). */
export function nestEnumMember(expr: ts.Expression, enumName: string, checker: ts.TypeChecker): string | undefined {
  const e = unwrap(expr);
  return ts.isPropertyAccessExpression(e) && nestName(unwrap(e.expression), checker) === enumName ? e.name.text : undefined;
}

/** How a guard, interceptor or pipe is named: `AuthGuard` for `AuthGuard`, `AuthGuard('jwt')` and `new AuthGuard()`. */
export function middlewareName(expr: ts.Expression): string {
  const e = unwrap(expr);
  return ts.isNewExpression(e) ? exprName(e.expression) : exprName(e);
}

/**
 * A global-prefix exclusion path as a matcher, the way Nest compiles it with path-to-regexp: `:param` is one
 * segment, `*name` / `(.*)` any rest, `{…}` optional, case-insensitive, an optional trailing slash.
 */
export function excludeMatcher(path: string): RegExp {
  const p = (path.startsWith('/') ? path : `/${path}`).replace(/\/+$/, '');
  let source = '';
  for (const token of p.match(/\(\.\*\)|[{}]|:[A-Za-z0-9_]+\??|\*[A-Za-z0-9_]*|[^{}:*(]+|./g) ?? []) {
    if (token === '(.*)') source += '.*';
    // `health/{*rest}` also matches `/health`: the slash before an optional group is optional with it
    else if (token === '{') source = source.endsWith('/') ? `${source.slice(0, -1)}(?:/` : `${source}(?:`;
    else if (token === '}') source += ')?';
    else if (token.startsWith(':')) source += token.endsWith('?') ? '[^/]*' : '[^/]+';
    else if (token.startsWith('*')) source += token === '*' ? '.*' : '.+';
    else source += token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}/?$`, 'i');
}
