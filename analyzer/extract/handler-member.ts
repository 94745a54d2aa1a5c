// A request handler that is a member of a project object: given to a package's wrapper (Ghost's `http(api.posts.browse)`,
// where `api.posts` is a getter returning `pipeline(require('./posts'))` of a package), or a member chain (`ctrl.admin.list`,
// `ctrl['list']`). The handler is the member the project's object declares, or a statement of its file (or a function
// that file hands the object to) assigns. A member the object does not declare (or may get from a spread), an object
// made at run time, or a package value is not guessed.
import { ts } from 'ts-morph';
import { calledFunction } from './express-syntax.ts';
import { isFunctionLike } from './functions.ts';
import { comesFromPackage } from './package-values.ts';
import type { LoadedProject } from './project.ts';
import { stringValue } from './string-value.ts';
import { codeTargetOf, fileOf, resolveReference, symbolOf, type CodeTarget } from './symbols.ts';
import { exportedValue, functionResult, functionValue, requiredFile, unwrap } from './value-key.ts';

const MAX_DEPTH = 10;

/** The project member `a.b.c` names, read through the objects it is reached by, or undefined. */
export function projectMember(project: LoadedProject, expr: ts.Expression): CodeTarget | undefined {
  const e = unwrap(expr);
  if (!ts.isPropertyAccessExpression(e)) return undefined;
  const direct = resolveReference(project, e.name);
  if (direct.kind === 'project') return direct.target;
  const obj = objectValue(project, e.expression, 0);
  const member = obj && memberOf(project, obj, e.name.text);
  return member && codeTargetOf(project, member);
}

/** The object literal of the project a value is, followed through names, members, getters, `require()` and package wrappers. */
function objectValue(project: LoadedProject, expr: ts.Expression, depth: number): ts.ObjectLiteralExpression | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const e = unwrap(expr);
  if (ts.isObjectLiteralExpression(e)) return fileOf(project, e) ? e : undefined;
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const { symbol } = symbolOf(project, ts.isIdentifier(e) ? e : e.name);
    const decl = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
    if (decl && fileOf(project, decl)) return declaredValue(project, decl, depth + 1);
    if (!ts.isPropertyAccessExpression(e)) return undefined;
    // the checker lost the type on the way (`pipeline()` of an unparsed package): the member of the object read so far
    const obj = objectValue(project, e.expression, depth + 1);
    const member = obj && memberOf(project, obj, e.name.text);
    return member && declaredValue(project, member, depth + 1);
  }
  if (ts.isCallExpression(e)) {
    const required = requiredFile(project, e);
    if (required) {
      const value = exportedValue(required);
      return value && objectValue(project, value, depth + 1);
    }
    // `pipeline(controller, utils)` of a package: an object with the members of the object it is given (Ghost's
    // api-framework wraps each of them); only a member that object declares is read through it
    const callee = unwrap(e.expression);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
    const first = e.arguments[0];
    if (name && first && comesFromPackage(project.checker, name)) return objectValue(project, first, depth + 1);
  }
  return undefined;
}

/** The value a declaration holds, when it is a project object: a const's, a property's, a getter's result, `module.exports.x = …`'s. */
function declaredValue(project: LoadedProject, decl: ts.Node, depth: number): ts.ObjectLiteralExpression | undefined {
  if (ts.isVariableDeclaration(decl) || ts.isPropertyAssignment(decl)) return decl.initializer && objectValue(project, decl.initializer, depth);
  if (ts.isShorthandPropertyAssignment(decl)) return objectValue(project, decl.name, depth);
  if (ts.isGetAccessorDeclaration(decl)) return functionResult(decl, (returned) => objectValue(project, returned, depth));
  if (ts.isPropertyAccessExpression(decl) && ts.isBinaryExpression(decl.parent) && decl.parent.left === decl) return objectValue(project, decl.parent.right, depth);
  if (ts.isBinaryExpression(decl)) return objectValue(project, decl.right, depth);
  if (ts.isExportAssignment(decl)) return objectValue(project, decl.expression, depth);
  if (ts.isSourceFile(decl)) {
    const file = fileOf(project, decl);
    const value = file && exportedValue(file);
    return value && objectValue(project, value, depth);
  }
  return undefined;
}

/**
 * The property, method or getter an object literal declares under `name` (the last one wins), else what a statement of
 * its file assigns to it (`Controllers.home = function …` after `var Controllers = {…}`); none when a spread may bring it.
 */
function memberOf(project: LoadedProject, obj: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | ts.BinaryExpression | undefined {
  let found: ts.ObjectLiteralElementLike | undefined;
  for (const p of obj.properties) {
    const n = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
    if (n === name) found = p;
  }
  if (!found) return obj.properties.some(ts.isSpreadAssignment) ? undefined : assignedMember(project, obj, name);
  return ts.isPropertyAssignment(found) || ts.isShorthandPropertyAssignment(found) || ts.isGetAccessorDeclaration(found) || isFunctionLike(found) ? found : undefined;
}

/**
 * `X.name = …` written as a statement of the file where `var X = {…}` (a module-level object) is declared, or by a project
 * function that file hands X to (NodeBB's `require('./user')(middleware)`, whose `module.exports = function (middleware)
 * { middleware.redirectUidToUserslug = function … }`); the last one run wins.
 */
function assignedMember(project: LoadedProject, obj: ts.ObjectLiteralExpression, name: string): ts.BinaryExpression | undefined {
  const decl = obj.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== obj || !ts.isIdentifier(decl.name)) return undefined;
  const holder = decl.name.text;
  let found: ts.BinaryExpression | undefined;
  for (const stmt of obj.getSourceFile().statements) {
    if (!ts.isExpressionStatement(stmt)) continue;
    const e = stmt.expression;
    if (ts.isCallExpression(e)) found = addedBy(project, e, holder, name) ?? found;
    else found = assignmentTo(e, holder, name) ?? found;
  }
  return found;
}

/** `holder.name = …` */
function assignmentTo(e: ts.Expression, holder: string, name: string): ts.BinaryExpression | undefined {
  if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const left = e.left;
  return ts.isPropertyAccessExpression(left) && left.name.text === name && ts.isIdentifier(left.expression) && left.expression.text === holder ? e : undefined;
}

/** `fn(holder)` of a project function whose body assigns `param.name = …` as a statement of its own (the last one). */
function addedBy(project: LoadedProject, call: ts.CallExpression, holder: string, name: string): ts.BinaryExpression | undefined {
  const index = call.arguments.findIndex((a) => ts.isIdentifier(a) && a.text === holder);
  if (index < 0) return undefined;
  const fn = calledFunction(project, call);
  const param = fn && isFunctionLike(fn) ? fn.parameters[index] : undefined;
  const body = fn && isFunctionLike(fn) && 'body' in fn ? (fn.body as ts.Node | undefined) : undefined;
  if (!param || !ts.isIdentifier(param.name) || !body || !ts.isBlock(body)) return undefined;
  let found: ts.BinaryExpression | undefined;
  for (const stmt of body.statements) {
    if (ts.isExpressionStatement(stmt)) found = assignmentTo(stmt.expression, param.name.text, name) ?? found;
  }
  return found;
}

/**
 * The project code `base.n1.n2…` names, read through the project objects `base` is (`require('../controllers')`, an
 * index object of `require()`s): a function member, or the function a member's `require()` gives. Undefined otherwise.
 */
export function projectMemberOf(project: LoadedProject, base: ts.Expression, names: readonly string[]): CodeTarget | undefined {
  let obj = objectValue(project, base, 0);
  for (const name of names.slice(0, -1)) {
    const member = obj && memberOf(project, obj, name);
    obj = member && declaredValue(project, member, 1);
  }
  const member = obj && memberOf(project, obj, names[names.length - 1]);
  if (!member) return undefined;
  const value = ts.isPropertyAssignment(member) ? member.initializer : ts.isBinaryExpression(member) ? member.right : undefined;
  const fn = value && !isFunctionLike(unwrap(value)) ? functionValue(project, value) : undefined;
  const target = codeTargetOf(project, fn ?? member);
  return target && (isFunctionLike(target.decl) || ts.isClassLike(target.decl)) ? target : undefined;
}

/**
 * `a.b.c`, `a['b'].c`, `a[NAME]` (a `const` string) → the root expression `a` and the member names `['b', 'c']`; the chain
 * stops at a key not known statically. `a.b.bind(a)` is the function bound, `a.b`.
 */
export function memberChain(project: LoadedProject, expr: ts.Expression): { root: ts.Expression; names: string[] } {
  const names: string[] = [];
  let e = unwrap(expr);
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind') e = unwrap(e.expression.expression);
  for (;;) {
    if (ts.isPropertyAccessExpression(e)) {
      names.unshift(e.name.text);
    } else if (ts.isElementAccessExpression(e)) {
      // `ctrls[1]`: a position, as bound-parameters.ts names an array pattern's
      const key = ts.isNumericLiteral(e.argumentExpression) ? `[${e.argumentExpression.text}]` : stringValue(e.argumentExpression, project.checker);
      if (key === undefined) break;
      names.unshift(key);
    } else {
      break;
    }
    e = unwrap(e.expression);
  }
  return { root: e, names };
}

/**
 * The project code `expr` followed by `more` member names lands on, read through the checker's types, else through the
 * project objects its root is (the checker may not follow `require()`s of untyped JavaScript): a function or class.
 */
export function chainMember(project: LoadedProject, expr: ts.Expression, more: readonly string[] = []): CodeTarget | undefined {
  const { root, names } = memberChain(project, expr);
  const chain = [...names, ...more];
  if (chain.length === 0) return undefined;
  return memberByType(project, root, chain) ?? projectMemberOf(project, root, chain);
}

/**
 * `controllers` + `['accounts', 'edit']` through the checker's types (JavaScript's `exports.x = require('./x')`,
 * `Controllers.home = function`, index objects of `require()`s): the declaration the last member lands on.
 */
function memberByType(project: LoadedProject, expr: ts.Expression, names: readonly string[]): CodeTarget | undefined {
  const e = unwrap(expr);
  const checker = project.checker;
  let symbol: ts.Symbol | undefined;
  let rest = names;
  if (ts.isCallExpression(e)) {
    // `require('./books')` given in place (`crud(require('./books'))`): the members of the project module's exports
    if (names.length === 0 || !requiredFile(project, e)) return undefined;
    symbol = checker.getTypeAtLocation(e).getProperty(names[0]);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    rest = names.slice(1);
  } else if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    symbol = symbolOf(project, ts.isIdentifier(e) ? e : e.name).symbol;
  } else {
    return undefined;
  }
  for (const name of rest) {
    if (!symbol?.declarations?.some((d) => fileOf(project, d))) return undefined;
    symbol = checker.getTypeOfSymbol(symbol).getProperty(name);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  }
  for (const decl of symbol?.declarations ?? []) {
    const target = codeTargetOf(project, decl);
    if (target && isCode(target.decl)) return target;
  }
  return undefined;
}

/** A function or class (not a property holding a `require()` or some data). */
function isCode(node: ts.Node): boolean {
  return ts.isFunctionLike(node) || ts.isClassLike(node);
}
