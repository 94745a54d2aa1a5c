// How code is named in the facts: "<file>#<name>" ids shared by calls, routes and tables, so that a
// route's handler, the calls it makes and the tables it touches can be joined on the same id.
//   function f / const f = () => …           → "f"
//   class C { m() {} }                        → "C.m"
//   const obj = { m() {} } / { m: () => … }    → "obj.m";  const obj = { sub: { m() {} } } → "obj.sub.m"
//   exports.f = … / module.exports.f = …      → "f";  module.exports = … / export default … → "default"
//   top-level anonymous function (an inline route handler) → "<anonymous@LINE>" (its first line)
//   anonymous functions nested in a named one belong to the named one; top-level code → "<module>"
import { ts } from 'ts-morph';

export const MODULE_SCOPE = '<module>';

export function isFunctionLike(node: ts.Node): node is ts.SignatureDeclaration {
  switch (node.kind) {
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.Constructor:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
      return true;
    default:
      return false;
  }
}

export function lineOf(node: ts.Node, source: ts.SourceFile = node.getSourceFile()): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

/** Source text for a warning: on one line, and short. */
export function shownSource(node: ts.Node, source: ts.SourceFile = node.getSourceFile()): string {
  const text = node.getText(source).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function propertyNameText(name: ts.PropertyName | ts.Node): string | undefined {
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** `module.exports` or `exports` */
export function isModuleExports(node: ts.Expression): boolean {
  if (ts.isIdentifier(node)) return node.text === 'exports';
  return ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'module' && node.name.text === 'exports';
}

/**
 * The name an object literal is known by (`const obj = {…}`; `obj.feed` for `const obj = { feed: {…} }`, so
 * that `obj.feed.get` and `obj.get` stay apart). Members of `module.exports = {…}` and `export default {…}`
 * are the module's exports and keep their own names (`feed.get` one level down).
 */
function objectOwnerName(obj: ts.ObjectLiteralExpression, depth = 0): string | undefined {
  const parent = obj.parent;
  if (ts.isVariableDeclaration(parent)) return ts.isIdentifier(parent.name) ? parent.name.text : undefined;
  if (depth < 8 && ts.isPropertyAssignment(parent) && parent.initializer === obj && ts.isObjectLiteralExpression(parent.parent)) {
    const key = propertyNameText(parent.name);
    if (key === undefined) return undefined;
    const outer = objectOwnerName(parent.parent, depth + 1);
    if (outer !== undefined) return `${outer}.${key}`;
    return isExportedObject(parent.parent) ? key : undefined;
  }
  return undefined;
}

/** `module.exports = {…}`, `exports.x = {…}`, `export default {…}` */
function isExportedObject(obj: ts.ObjectLiteralExpression): boolean {
  const parent = obj.parent;
  if (ts.isExportAssignment(parent)) return true;
  if (!ts.isBinaryExpression(parent) || parent.right !== obj || parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const left = parent.left;
  return isModuleExports(left) || ts.isPropertyAccessExpression(left) && isModuleExports(left.expression);
}

export function memberName(container: ts.Node, member: string): string {
  if (ts.isClassLike(container)) return `${container.name?.text ?? 'default'}.${member}`;
  if (ts.isObjectLiteralExpression(container)) {
    const owner = objectOwnerName(container);
    return owner ? `${owner}.${member}` : member;
  }
  return member;
}

/** Name given by an assignment target: `exports.f =`, `module.exports =`, `X.prototype.f =`, `obj.f =`, `obj.sub.f =`. */
function assignmentTargetName(left: ts.Expression): string | undefined {
  if (isModuleExports(left)) return 'default';
  if (!ts.isPropertyAccessExpression(left)) return undefined;
  const member = left.name.text;
  const target = left.expression;
  if (isModuleExports(target)) return member;
  if (ts.isPropertyAccessExpression(target) && target.name.text === 'prototype' && ts.isIdentifier(target.expression)) {
    return `${target.expression.text}.${member}`;
  }
  if (ts.isIdentifier(target)) return `${target.text}.${member}`;
  // bookSchema.methods.publish = function () {…} (Mongoose), app.locals.helper = …
  if (ts.isPropertyAccessExpression(target) && ts.isIdentifier(target.expression) && !isModuleExports(target.expression)) return `${target.expression.text}.${target.name.text}.${member}`;
  return undefined;
}

/** The name of a function-like node, or undefined when it is anonymous. */
export function functionName(fn: ts.Node): string | undefined {
  if (ts.isFunctionDeclaration(fn)) {
    if (fn.name) return fn.name.text;
    return 'default';
  }
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) {
    const name = propertyNameText(fn.name);
    return name === undefined ? undefined : memberName(fn.parent, name);
  }
  if (ts.isConstructorDeclaration(fn)) return memberName(fn.parent, 'constructor');
  if (ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) {
    let parent = fn.parent;
    while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) parent = parent.parent;
    if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    if (ts.isPropertyAssignment(parent)) {
      const name = propertyNameText(parent.name);
      return name === undefined ? undefined : memberName(parent.parent, name);
    }
    if (ts.isPropertyDeclaration(parent)) {
      const name = propertyNameText(parent.name);
      return name === undefined ? undefined : memberName(parent.parent, name);
    }
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === fn) {
      const name = assignmentTargetName(parent.left);
      if (name) return name;
    }
    if (ts.isExportAssignment(parent)) return 'default';
    if (ts.isFunctionExpression(fn) && fn.name) return fn.name.text;
  }
  return undefined;
}

/** The function id (name part) that code at `node` belongs to (`node` itself excluded). */
export function enclosingFunctionName(node: ts.Node, source: ts.SourceFile): string {
  return node.parent ? scopeName(node.parent, source) : MODULE_SCOPE;
}

/** The id name of a function-like node itself: its own name, or the scope an anonymous one falls into. */
export function ownFunctionName(fn: ts.Node, source: ts.SourceFile): string {
  return scopeName(fn, source);
}

function scopeName(start: ts.Node, source: ts.SourceFile): string {
  let outermostAnonymous: ts.Node | undefined;
  for (let cur: ts.Node | undefined = start; cur && cur !== source; cur = cur.parent) {
    // a field initializer (`service = Factory.create()`) runs in the constructor
    if (ts.isPropertyDeclaration(cur) && ts.isClassLike(cur.parent) && !outermostAnonymous) {
      const isStatic = cur.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
      if (!isStatic) return memberName(cur.parent, 'constructor');
    }
    if (!isFunctionLike(cur)) continue;
    const name = functionName(cur);
    if (name) return name;
    outermostAnonymous = cur;
  }
  return outermostAnonymous ? anonymousName(outermostAnonymous, source) : MODULE_SCOPE;
}

export function anonymousName(fn: ts.Node, source: ts.SourceFile): string {
  return `<anonymous@${lineOf(fn, source)}>`;
}
