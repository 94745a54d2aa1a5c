// Small readers shared by the Mongoose and Drizzle modules: the key under which a value made by a call
// (a model, a table) is known from the code that uses it, and one option of an object literal.
import { ts } from 'ts-morph';
import { unwrap } from './value-key.ts';

/** `{ key: value }` / `{ key }` → the value expression */
export function objectOption(obj: ts.Expression | undefined, key: string): ts.Expression | undefined {
  const o = obj && unwrap(obj);
  if (!o || !ts.isObjectLiteralExpression(o)) return undefined;
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === key) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === key) return p.name;
  }
  return undefined;
}

/**
 * The key a value is known by, as valueKey() finds it from a use: its variable or property declaration,
 * else the expression itself (`export default …`, `module.exports = …`). Walks up through
 * `mongoose.models.Book || model('Book', schema)`, the Next.js idiom.
 */
export function assignedKey(expr: ts.Expression): ts.Node {
  let top: ts.Expression = expr;
  let p: ts.Node = expr.parent;
  for (;;) {
    if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p) || ts.isNonNullExpression(p)) {
      top = p;
    } else if (ts.isBinaryExpression(p) && p.right === top && (p.operatorToken.kind === ts.SyntaxKind.BarBarToken || p.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
      top = p;
    } else if (ts.isConditionalExpression(p) && p.condition !== top) {
      top = p;
    } else break;
    p = p.parent;
  }
  if (ts.isVariableDeclaration(p) || ts.isPropertyDeclaration(p)) return p;
  return unwrap(top);
}

/** The name a call is made by: `f(…)` → f, `a.b.f(…)` → f. */
export function calleeName(call: ts.CallExpression): string | undefined {
  const c = unwrap(call.expression);
  return ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : undefined;
}
