// "Which declaration does this value come from?" — the identity used for routers, ORM models and
// repositories. Follows imports and re-exports (type checker), `require('./x')` to what that module
// exports, and calls to project functions to what they return (`makeRouter()` → the router inside, or, when the
// caller asks for instances, that call's own router).
import { ts } from 'ts-morph';
import { isFunctionLike } from './functions.ts';
import type { LoadedFile, LoadedProject } from './project.ts';
import { resolveSpecifier } from './resolve.ts';
import { fileOf, namedFunction, symbolOf } from './symbols.ts';

const MAX_DEPTH = 5;

export function unwrap(expr: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isAwaitExpression(expr)) {
    expr = expr.expression;
  }
  return expr;
}

/** `module.exports = X` / `export default X` of a file: the X. */
export function exportedValue(file: LoadedFile): ts.Expression | undefined {
  for (const stmt of file.source.statements) {
    if (ts.isExportAssignment(stmt)) return stmt.expression;
    if (ts.isExpressionStatement(stmt) && ts.isBinaryExpression(stmt.expression) && stmt.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = stmt.expression.left;
      if (ts.isPropertyAccessExpression(left) && ts.isIdentifier(left.expression) && left.expression.text === 'module' && left.name.text === 'exports') {
        return stmt.expression.right;
      }
    }
  }
  return undefined;
}

/** The project file a `require('./x')` call loads. */
export function requiredFile(project: LoadedProject, call: ts.CallExpression): LoadedFile | undefined {
  if (!(ts.isIdentifier(call.expression) && call.expression.text === 'require')) return undefined;
  const arg = call.arguments[0];
  if (!arg || !ts.isStringLiteralLike(arg)) return undefined;
  const r = resolveSpecifier(project, arg.text, call.getSourceFile().fileName, ts.ModuleKind.CommonJS);
  return r.kind === 'file' ? r.file : undefined;
}

function isModuleExportsAssignment(node: ts.Node): node is ts.BinaryExpression {
  return ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) &&
    ts.isIdentifier(node.left.expression) && node.left.expression.text === 'module' && node.left.name.text === 'exports';
}

/**
 * How `valueKey` reads a call to a project function whose result is made inside its body (a local of it, or a value
 * made there): by default that local, one value however often the function runs; `instance` names the value each
 * call makes instead (the route extractor: every call of a router factory is a router of its own).
 */
export interface ValueKeyOptions {
  /** the key of the value `call` makes, `made` the key of the function's own result (the template it is made from) */
  instance?: (call: ts.CallExpression, made: ts.Node) => ts.Node;
}

/**
 * The declaration node standing for the value of `expr`: a variable/parameter/property/class
 * declaration, or the expression node of `module.exports = <call>` / `export default <call>`.
 */
export function valueKey(project: LoadedProject, expr: ts.Expression, depth = 0, options: ValueKeyOptions = {}): ts.Node | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const e = unwrap(expr);
  const next = (x: ts.Expression): ts.Node | undefined => valueKey(project, x, depth + 1, options);
  // `module.exports = require('./routes')` is what that module exports; `module.exports = makeRouter()`: the call is the
  // value, or, asking for instances, the router that call makes
  const made = (x: ts.Expression): ts.Node | undefined =>
    ts.isCallExpression(x) && requiredFile(project, x) ? next(x) : options.instance && ts.isCallExpression(x) ? next(x) ?? x : x;
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const { symbol } = symbolOf(project, ts.isIdentifier(e) ? e : e.name);
    let decl = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
    if (decl && ts.isShorthandPropertyAssignment(decl)) {
      // `{ books }` with `const books = require('./books')`: in JavaScript the value's symbol is an alias, declared by that const
      const value = project.checker.getShorthandAssignmentValueSymbol(decl);
      decl = value?.valueDeclaration ?? value?.declarations?.[0];
    }
    if (!decl || !fileOf(project, decl)) return undefined;
    if (ts.isExportAssignment(decl)) return ts.isIdentifier(unwrap(decl.expression)) ? next(decl.expression) : made(unwrap(decl.expression));
    if (isModuleExportsAssignment(decl)) return ts.isIdentifier(unwrap(decl.right)) ? next(decl.right) : made(unwrap(decl.right));
    if (ts.isVariableDeclaration(decl) && decl.initializer) {
      // `const router = require('./routes')`, `= makeRouter()`, `= other`: the value is declared elsewhere
      const init = unwrap(decl.initializer);
      if (ts.isCallExpression(init)) return next(init) ?? decl;
      if (ts.isIdentifier(init)) return next(init) ?? decl;
    }
    return decl;
  }
  if (ts.isCallExpression(e)) {
    const required = requiredFile(project, e);
    if (required) {
      const value = exportedValue(required);
      if (!value) return undefined;
      const v = unwrap(value);
      return ts.isIdentifier(v) || ts.isCallExpression(v) && requiredFile(project, v) ? next(v) : made(v);
    }
    const callee = unwrap(e.expression);
    if (ts.isCallExpression(callee)) {
      // `require('./routes')(app)`: the function the module exports, called; its result is what it returns
      const module = requiredFile(project, callee);
      const exported = module && exportedValue(module);
      // (asking for instances: also one its index re-exports, `module.exports = require('./app')`)
      const fn = exported && (exportedFunction(project, unwrap(exported)) ?? (options.instance ? functionValue(project, callee) : undefined));
      return fn && calledResult(fn, e, next, options);
    }
    const fn = namedFunction(project, callee) ?? (options.instance && (ts.isIdentifier(callee) || ts.isPropertyAccessExpression(callee)) ? functionValue(project, callee) : undefined) ??
      // `crud.call(null, ctrl)`, `crud.apply(null, [ctrl])` of Function.prototype: what `crud` gives
      (ts.isPropertyAccessExpression(callee) && (callee.name.text === 'call' || callee.name.text === 'apply') ? namedFunction(project, callee.expression) ?? functionValue(project, callee.expression) : undefined);
    return fn && calledResult(fn, e, next, options);
  }
  return undefined;
}

/**
 * The project function a value is: `const commentRouter = require('../comments')`, whose index.js is
 * `module.exports = require('./routes')`, through re-exporting modules and object members, which the type checker does
 * not follow in JavaScript; `require('../api')` itself.
 */
export function functionValue(project: LoadedProject, expr: ts.Expression, depth = 0): ts.SignatureDeclaration | undefined {
  const key = valueKey(project, expr);
  if (key && isFunctionLike(key)) return key as ts.SignatureDeclaration;
  // `mw.redirectGhostToAdmin()` with `module.exports = { redirectGhostToAdmin: require('./redirect-ghost-to-admin') }`
  if (key && ts.isPropertyAssignment(key) && depth < MAX_DEPTH) return functionValue(project, key.initializer, depth + 1);
  const init = key && ts.isVariableDeclaration(key) && key.initializer ? unwrap(key.initializer) : undefined;
  return init && isFunctionLike(init) ? (init as ts.SignatureDeclaration) : undefined;
}

/** What a call of `fn` gives: its result's key, or the instance the call makes when that result is made inside `fn`. */
function calledResult(fn: ts.SignatureDeclaration, call: ts.CallExpression, next: (x: ts.Expression) => ts.Node | undefined, options: ValueKeyOptions): ts.Node | undefined {
  const result = functionResult(fn, next);
  return result && options.instance && madeInside(result, fn) ? options.instance(call, result) : result;
}

/** A local of the function's body (or a value made there), not a parameter and not a module-level value it hands out. */
export function madeInside(node: ts.Node, fn: ts.SignatureDeclaration): boolean {
  const body = 'body' in fn ? (fn.body as ts.Node | undefined) : undefined;
  return !!body && !ts.isParameter(node) && node.getSourceFile() === body.getSourceFile() && node.pos >= body.pos && node.end <= body.end;
}

/** `module.exports = function (app) {…}`, or the name of a function declared in the module. */
function exportedFunction(project: LoadedProject, value: ts.Expression): ts.SignatureDeclaration | undefined {
  if (isFunctionLike(value)) return value as ts.SignatureDeclaration;
  if (!ts.isIdentifier(value)) return undefined;
  const decl = symbolOf(project, value).symbol?.valueDeclaration;
  if (decl && isFunctionLike(decl)) return decl as ts.SignatureDeclaration;
  const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
  return init && isFunctionLike(init) ? (init as ts.SignatureDeclaration) : undefined;
}

/**
 * What a function gives back, as `valueOf` reads it: its expression body, or the first of its `return` statements
 * (nested functions' left out) that valueOf reads as something.
 */
export function functionResult<V>(fn: ts.SignatureDeclaration, valueOf: (returned: ts.Expression) => V | undefined): V | undefined {
  const body = 'body' in fn ? (fn.body as ts.Node | undefined) : undefined;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return valueOf(body as ts.Expression);
  let found: V | undefined;
  const visit = (n: ts.Node): void => {
    if (found !== undefined || isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) found = valueOf(n.expression);
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/**
 * `compute()` once per key, safe against cycles (a value defined through itself): while it runs the key reads as
 * unknown; what it found, or that it found nothing, is kept.
 */
export function memoized<K, V>(cache: Map<K, V | null>, key: K, compute: () => V | undefined): V | undefined {
  const known = cache.get(key);
  if (known !== undefined) return known ?? undefined;
  cache.set(key, null);
  const value = compute();
  cache.set(key, value ?? null);
  return value;
}

/** `=`, `+=`, `??=` and the other assignment operators. */
export function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/**
 * Whether the variable (or parameter) `name` declares is given another value anywhere under `root`: assigned (`x =`,
 * `x +=`, `x++`), destructured into (`[x] = …`, `({ x } = …)`), a `for (x of …)` / `for (x in …)` variable, or declared
 * again with a value (`var x = …` a second time).
 */
export function assignedWithin(root: ts.Node, name: ts.Identifier, checker: ts.TypeChecker): boolean {
  const symbol = checker.getSymbolAtLocation(name);
  const text = name.text;
  const same = (id: ts.Identifier): boolean => id.text === text && checker.getSymbolAtLocation(id) === symbol;
  const target = (t: ts.Identifier | ts.ShorthandPropertyAssignment): boolean =>
    ts.isIdentifier(t) ? same(t) : t.name.text === text && checker.getShorthandAssignmentValueSymbol(t) === symbol;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isVariableDeclaration(n)) found = n.name !== name && !!n.initializer && ts.isIdentifier(n.name) && same(n.name);
    else found = assignedBy(n, target);
    if (!found) ts.forEachChild(n, visit);
  };
  visit(root);
  return found;
}

/**
 * `assignedWithin` for every variable of `root` at once, for a reader asking it of many (one walk of `root`, not one
 * per variable: a file of thousands of module-level variables was walked once for each). Names without a symbol are
 * asked of assignedWithin.
 */
export function assignedIn(root: ts.Node, checker: ts.TypeChecker): (name: ts.Identifier) => boolean {
  let known = assignedMemo.get(root);
  if (!known) {
    const assigned = new Set<ts.Symbol>();
    const declared = new Map<ts.Symbol, number>();
    const add = (t: ts.Identifier | ts.ShorthandPropertyAssignment): boolean => {
      const symbol = ts.isIdentifier(t) ? checker.getSymbolAtLocation(t) : checker.getShorthandAssignmentValueSymbol(t);
      if (symbol) assigned.add(symbol);
      return false;
    };
    const visit = (n: ts.Node): void => {
      if (ts.isVariableDeclaration(n)) {
        const symbol = n.initializer && ts.isIdentifier(n.name) ? checker.getSymbolAtLocation(n.name) : undefined;
        if (symbol) declared.set(symbol, (declared.get(symbol) ?? 0) + 1);
      } else {
        assignedBy(n, add);
      }
      ts.forEachChild(n, visit);
    };
    visit(root);
    assignedMemo.set(root, (known = { assigned, declared }));
  }
  const { assigned, declared } = known;
  return (name) => {
    const symbol = checker.getSymbolAtLocation(name);
    if (!symbol) return assignedWithin(root, name, checker);
    if (assigned.has(symbol)) return true;
    // declared with a value under root other than by `name` itself
    const own = ts.isVariableDeclaration(name.parent) && name.parent.name === name && !!name.parent.initializer && name.pos >= root.pos && name.end <= root.end ? 1 : 0;
    return (declared.get(symbol) ?? 0) > own;
  };
}

const assignedMemo = new WeakMap<ts.Node, { assigned: ReadonlySet<ts.Symbol>; declared: ReadonlyMap<ts.Symbol, number> }>();

const reassignedMemo = new WeakMap<ts.VariableDeclaration, boolean>();

/**
 * A variable given another value anywhere after its declaration (as assignedWithin says), looked for in the function
 * (or file) it is declared in: the only place its name can be assigned. A pattern (`const { a } = …`) counts as
 * reassigned. Asked of many variables of one function or file, that is walked once (assignedIn).
 */
export function reassignedVariable(decl: ts.VariableDeclaration, checker: ts.TypeChecker): boolean {
  let known = reassignedMemo.get(decl);
  if (known === undefined) {
    const scope = ts.findAncestor(decl.parent, isFunctionLike) ?? decl.getSourceFile();
    known = !ts.isIdentifier(decl.name) || assignedIn(scope, checker)(decl.name);
    reassignedMemo.set(decl, known);
  }
  return known;
}

/**
 * Whether `n` gives a name another value as one of its targets satisfies `target`: an assignment (`x =`, `x +=`), `++`/`--`,
 * a `for (x of …)` / `for (x in …)`; a target is a name, or a name of a pattern written as an array or object literal.
 */
function assignedBy(n: ts.Node, target: (t: ts.Identifier | ts.ShorthandPropertyAssignment) => boolean): boolean {
  const targets = (expr: ts.Expression): boolean => {
    const t = unwrap(expr);
    if (ts.isIdentifier(t)) return target(t);
    if (ts.isArrayLiteralExpression(t)) return t.elements.some((el) => targets(ts.isSpreadElement(el) ? el.expression : withoutDefault(el)));
    if (ts.isObjectLiteralExpression(t)) {
      return t.properties.some((p) => {
        if (ts.isShorthandPropertyAssignment(p)) return target(p);
        if (ts.isPropertyAssignment(p)) return targets(withoutDefault(p.initializer));
        return ts.isSpreadAssignment(p) && targets(p.expression);
      });
    }
    return false;
  };
  if (ts.isBinaryExpression(n) && isAssignment(n.operatorToken.kind)) return targets(n.left);
  if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) return targets(n.operand);
  if ((ts.isForOfStatement(n) || ts.isForInStatement(n)) && !ts.isVariableDeclarationList(n.initializer)) return targets(n.initializer as ts.Expression);
  return false;
}

/** `x = 1` as a pattern's element (`[x = 1] = …`): the target `x`. */
function withoutDefault(el: ts.Expression): ts.Expression {
  return ts.isBinaryExpression(el) && el.operatorToken.kind === ts.SyntaxKind.EqualsToken ? el.left : el;
}

/**
 * What a declaration is given after it is declared, as `valueOf` reads it: the first `x = …` (a `let` of the file) or
 * `this.x = …` (a property, or a constructor's parameter property, in its class) that valueOf reads as something.
 */
export function laterAssigned<V>(
  checker: ts.TypeChecker,
  decl: ts.VariableDeclaration | ts.PropertyDeclaration | ts.ParameterDeclaration,
  valueOf: (right: ts.Expression) => V | undefined,
): V | undefined {
  if (!ts.isIdentifier(decl.name)) return undefined;
  if (ts.isParameter(decl) && !ts.isParameterPropertyDeclaration(decl, decl.parent)) return undefined;
  const name = decl.name.text;
  const isProperty = !ts.isVariableDeclaration(decl);
  const scope = isProperty ? (ts.isParameter(decl) ? decl.parent.parent : decl.parent) : decl.getSourceFile();
  let found: V | undefined;
  const visit = (n: ts.Node): void => {
    if (found !== undefined) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = unwrap(n.left);
      const target = isProperty
        ? ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword && left.name.text === name
        : ts.isIdentifier(left) && left.text === name && checker.getSymbolAtLocation(left)?.valueDeclaration === decl;
      if (target) found = valueOf(n.right);
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return found;
}
