// Does a value come from an npm package? Packages are not parsed (see project.ts), so calls on their
// values cannot be resolved to a declaration; knowing where the value came from lets them be counted
// as external rather than unknown. Followed syntactically, one symbol lookup per step:
//   import express from 'express' / const x = require('pkg')           → a package import
//   const router = express.Router(); const db = new Database(file)     → made by a package value
//   router.get('/', (req, res) => res.json(…))                         → a callback parameter of a package call
//   function auth(req: Request, res: Response, next: NextFunction)     → a parameter typed by a package
import { ts } from 'ts-morph';

const MAX_DEPTH = 6;

export function isBareSpecifier(spec: string): boolean {
  return !spec.startsWith('.') && !spec.startsWith('/');
}

/** The module specifier an import-like declaration pulls from (ESM import, import=, JS require). */
export function importSpecifierOf(decl: ts.Node): string | undefined {
  for (let cur: ts.Node | undefined = decl; cur; cur = cur.parent) {
    if (ts.isImportDeclaration(cur) && ts.isStringLiteral(cur.moduleSpecifier)) return cur.moduleSpecifier.text;
    if (ts.isImportEqualsDeclaration(cur) && ts.isExternalModuleReference(cur.moduleReference)) {
      const e = cur.moduleReference.expression;
      return ts.isStringLiteral(e) ? e.text : undefined;
    }
    if (ts.isVariableDeclaration(cur)) {
      let init = cur.initializer;
      while (init && ts.isPropertyAccessExpression(init)) init = init.expression;
      if (init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require') {
        const arg = init.arguments[0];
        return arg && ts.isStringLiteral(arg) ? arg.text : undefined;
      }
      return undefined;
    }
    if (ts.isStatement(cur)) return undefined;
  }
  return undefined;
}

/** `a.b(c).d` → `a`: the expression a chain of member accesses and calls starts from. */
function chainRoot(expr: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isPropertyAccessExpression(expr) || ts.isElementAccessExpression(expr) || ts.isCallExpression(expr) || ts.isNewExpression(expr) ||
      ts.isParenthesizedExpression(expr) || ts.isNonNullExpression(expr) || ts.isAwaitExpression(expr) || ts.isAsExpression(expr)) {
      expr = expr.expression;
    } else {
      return expr;
    }
  }
}

/** `require('express').Router()`: the module a chain made on a `require()` call starts from. */
function requiredIn(expr: ts.Expression): string | undefined {
  for (let e = expr; ;) {
    if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'require') {
      const [arg] = e.arguments;
      return arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
    }
    if (ts.isPropertyAccessExpression(e) || ts.isCallExpression(e) || ts.isNewExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
    else return undefined;
  }
}

/** The package a value comes from (its bare specifier), or undefined when it does not visibly come from one. */
function packageOfValue(checker: ts.TypeChecker, id: ts.Identifier, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const decl = checker.getSymbolAtLocation(id)?.declarations?.[0];
  if (!decl) return undefined;
  const spec = importSpecifierOf(decl);
  if (spec !== undefined) return isBareSpecifier(spec) ? spec : undefined;
  if (ts.isVariableDeclaration(decl) && decl.initializer) {
    const required = requiredIn(decl.initializer);
    if (required !== undefined) return isBareSpecifier(required) ? required : undefined;
    const root = chainRoot(decl.initializer);
    return ts.isIdentifier(root) ? packageOfValue(checker, root, depth + 1) : undefined;
  }
  if (ts.isParameter(decl)) {
    const type = decl.type;
    if (type) {
      if (!ts.isTypeReferenceNode(type)) return undefined;
      let name: ts.EntityName = type.typeName;
      while (ts.isQualifiedName(name)) name = name.left;
      return packageOfValue(checker, name, depth + 1);
    }
    const fn = decl.parent;
    const call = fn.parent;
    if (!ts.isCallExpression(call) || !call.arguments.some((a) => a === fn)) return undefined;
    const root = chainRoot(call.expression);
    return ts.isIdentifier(root) ? packageOfValue(checker, root, depth + 1) : undefined;
  }
  return undefined;
}

function isPackageValue(checker: ts.TypeChecker, id: ts.Identifier, depth: number): boolean {
  return packageOfValue(checker, id, depth) !== undefined;
}

/** The package the value of `expr` visibly comes from: `dataSource.manager` with `const dataSource = new DataSource()` → 'typeorm'. */
export function packageOf(checker: ts.TypeChecker, expr: ts.Expression): string | undefined {
  const root = chainRoot(expr);
  return ts.isIdentifier(root) ? packageOfValue(checker, root, 0) : undefined;
}

/** Is the callee named by `name` (an identifier, or the name in `x.y.name`) reached from a package value? */
export function comesFromPackage(checker: ts.TypeChecker, name: ts.Node): boolean {
  const parent = name.parent;
  if (parent && ts.isPropertyAccessExpression(parent) && parent.name === name) {
    const root = chainRoot(parent.expression);
    return ts.isIdentifier(root) && isPackageValue(checker, root, 0);
  }
  return ts.isIdentifier(name) && isPackageValue(checker, name, 0);
}
