// The HTTP methods a Next.js pages-router API handler serves. Next sends it every method and the handler
// branches on `req.method`: the methods are read from comparisons (`req.method === 'GET'`, `!==`), switch cases
// and `['GET', 'HEAD'].includes(req.method)`, on `req.method` or a `method` taken from the request.
import { ts } from 'ts-morph';
import { unwrap } from './value-key.ts';

export const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export interface HandledMethods {
  /** the methods the handler names, in the order it names them */
  methods: string[];
  /**
   * other methods reach code too: a method is compared with `===` and the rest falls through (an else branch,
   * a switch default, code after the if) without a 405 answer
   */
  others: boolean;
}

export function handledMethods(fn: ts.SignatureDeclaration): HandledMethods {
  const body = (fn as ts.FunctionLikeDeclaration).body;
  const isMethod = methodReader(fn);
  const found: string[] = [];
  const add = (e: ts.Expression): void => {
    const m = ts.isStringLiteralLike(e) ? e.text.toUpperCase() : undefined;
    if (m && HTTP_METHODS.has(m) && !found.includes(m)) found.push(m);
  };
  let rejects = false;
  let negative = false;
  let open = false;
  const visit = (n: ts.Node): void => {
    if (ts.isNumericLiteral(n) && n.text === '405') rejects = true;
    if (ts.isBinaryExpression(n) && EQUALITY.has(n.operatorToken.kind)) {
      const other = isMethod(n.left) ? unwrap(n.right) : isMethod(n.right) ? unwrap(n.left) : undefined;
      if (other) {
        add(other);
        if (n.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsEqualsToken || n.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsToken) negative = true;
        else open = true;
      }
    } else if (ts.isSwitchStatement(n) && isMethod(n.expression)) {
      for (const clause of n.caseBlock.clauses) {
        if (ts.isCaseClause(clause)) add(unwrap(clause.expression));
        else open = true; // a default clause; a 405 in it is a refusal, read below
      }
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'includes' && n.arguments.length === 1 && isMethod(n.arguments[0])) {
      const list = unwrap(n.expression.expression);
      if (ts.isArrayLiteralExpression(list)) {
        for (const el of list.elements) add(unwrap(el));
        if (ts.isPrefixUnaryExpression(n.parent) && n.parent.operator === ts.SyntaxKind.ExclamationToken) negative = true;
        else open = true;
      }
    }
    ts.forEachChild(n, visit);
  };
  if (body) visit(body);
  return { methods: found, others: found.length > 0 && open && !negative && !rejects };
}

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken,
]);

/**
 * Is an expression the request's method: `req.method` (`req` the handler's first parameter), `req.method?.toUpperCase()`,
 * or a name bound to it (`const { method } = req`, `const method = req.method`, a `({ method }, res)` parameter)?
 */
function methodReader(fn: ts.SignatureDeclaration): (e: ts.Expression) => boolean {
  const first = fn.parameters[0]?.name;
  const req = first && ts.isIdentifier(first) ? first.text : undefined;
  const aliases = new Set<string>();
  const fromPattern = (pattern: ts.ObjectBindingPattern): void => {
    for (const el of pattern.elements) {
      const key = el.propertyName ?? el.name;
      if (ts.isIdentifier(key) && key.text === 'method' && ts.isIdentifier(el.name)) aliases.add(el.name.text);
    }
  };
  if (first && ts.isObjectBindingPattern(first)) fromPattern(first);
  const isReqMethod = (e: ts.Expression): boolean => {
    const u = unwrap(e);
    return req !== undefined && ts.isPropertyAccessExpression(u) && u.name.text === 'method' && ts.isIdentifier(u.expression) && u.expression.text === req;
  };
  const body = (fn as ts.FunctionLikeDeclaration).body;
  const collect = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && n.initializer) {
      const init = unwrap(n.initializer);
      if (ts.isObjectBindingPattern(n.name) && req !== undefined && ts.isIdentifier(init) && init.text === req) fromPattern(n.name);
      else if (ts.isIdentifier(n.name) && (isReqMethod(init) || upperCased(init, isReqMethod))) aliases.add(n.name.text);
    }
    ts.forEachChild(n, collect);
  };
  if (body) collect(body);
  const direct = (e: ts.Expression): boolean => {
    const u = unwrap(e);
    return isReqMethod(u) || (ts.isIdentifier(u) && aliases.has(u.text));
  };
  return (e) => direct(e) || upperCased(unwrap(e), direct);
}

/** `x.toUpperCase()` (or `x?.toUpperCase()`) on what `inner` accepts. */
function upperCased(e: ts.Expression, inner: (e: ts.Expression) => boolean): boolean {
  return ts.isCallExpression(e) && e.arguments.length === 0 && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'toUpperCase' && inner(e.expression.expression);
}
