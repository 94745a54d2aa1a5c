// Static evaluation of string expressions: literals, templates, `+`, and constants they refer to
// (`const PREFIX = '/api'`, `PATHS.books`). Anything computed at run time stays unknown.
import { ts } from 'ts-morph';

const MAX_DEPTH = 5;

export function stringValue(expr: ts.Expression, checker: ts.TypeChecker, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return expr.text;
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) return stringValue(expr.expression, checker, depth);
  if (ts.isTemplateExpression(expr)) {
    let out = expr.head.text;
    for (const span of expr.templateSpans) {
      const v = stringValue(span.expression, checker, depth + 1);
      if (v === undefined) return undefined;
      out += v + span.literal.text;
    }
    return out;
  }
  if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = stringValue(expr.left, checker, depth + 1);
    if (l === undefined) return undefined;
    const r = stringValue(expr.right, checker, depth + 1);
    return r === undefined ? undefined : l + r;
  }
  if (ts.isIdentifier(expr) || ts.isPropertyAccessExpression(expr)) {
    const node = ts.isIdentifier(expr) ? expr : expr.name;
    let symbol = checker.getSymbolAtLocation(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const decl = symbol?.valueDeclaration;
    if (!decl) return undefined;
    if (ts.isVariableDeclaration(decl) && decl.initializer) {
      // only constants: a `let` may be reassigned before use
      if (!(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return undefined;
      return stringValue(decl.initializer, checker, depth + 1);
    }
    if (ts.isPropertyAssignment(decl)) return stringValue(decl.initializer, checker, depth + 1);
    if (ts.isEnumMember(decl) && decl.initializer) return stringValue(decl.initializer, checker, depth + 1);
  }
  return undefined;
}
